"""The channels a service is offered through: the A-11 §280 (Touchpoints) list, grouped digital and non-digital."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    COMPUTER = "computer", _("Computer")
    MOBILE = "mobile", _("Mobile")
    EMAIL = "email", _("Email")
    CHATBOT = "chatbot", _("Chatbot")
    PHONE = "phone", _("Phone")
    AUTOMATED_PHONE = "automated_phone", _("Automated phone")
    IN_PERSON = "in_person", _("In person")
    PAPER = "paper", _("Paper")
    POSTAL_MAIL = "postal_mail", _("Postal mail")
    FAX = "fax", _("Fax")
    SELF_SERVICE_KIOSK = "self_service_kiosk", _("Self-service kiosk")
    WEBSITE = "website", _("Website")
    MOBILE_APP = "mobile_app", _("Mobile app")
    LIVE_CHAT = "live_chat", _("Live chat")
    SMS_TEXT_MESSAGES = "sms_text_messages", _("Text messages (SMS)")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER_DIGITAL = "other_digital", _("Other digital")
    OTHER_NON_DIGITAL = "other_non_digital", _("Other non-digital")


DIGITAL_CHANNELS = frozenset(
    {
        Channel.COMPUTER,
        Channel.MOBILE,
        Channel.EMAIL,
        Channel.CHATBOT,
        Channel.SELF_SERVICE_KIOSK,
        Channel.WEBSITE,
        Channel.MOBILE_APP,
        Channel.LIVE_CHAT,
        Channel.SMS_TEXT_MESSAGES,
        Channel.SOCIAL_MEDIA,
        Channel.OTHER_DIGITAL,
    }
)


def is_digital(channel: str) -> bool:
    return channel in DIGITAL_CHANNELS


def channel_group(channel: str) -> str:
    return str(_("Digital")) if is_digital(channel) else str(_("Non-digital"))
