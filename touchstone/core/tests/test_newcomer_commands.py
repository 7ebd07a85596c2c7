"""A newcomer's first minutes: `make run` writes a local settings file, and every manage.py line the README shows runs."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# What a developer's shell has: none of the variables tests or production set.
UNSET = {
    "DEBUG",
    "TOUCHSTONE_TESTING",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "TOUCHSTONE_ENV_FILE",
}


def readme_manage_commands() -> list[str]:
    """Each distinct `manage.py NAME ...` the README shows, in code spans and indented code blocks."""
    text = (BASE_DIR / "README.md").read_text()
    shown = re.findall(r"`manage\.py ([a-z_]+)[^`]*`", text)
    shown += re.findall(r"^ {4}(?:python |\.venv/bin/python )?manage\.py ([a-z_]+)", text, flags=re.MULTILINE)
    return sorted(set(shown))


def write_local_settings(folder: Path) -> Path:
    env_file = folder / ".env.local"
    subprocess.run(
        ["make", "--no-print-directory", "-s", f"ENV_FILE={env_file}", str(env_file)],
        cwd=BASE_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    return env_file


def developer_shell(env_file: Path | str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    env["TOUCHSTONE_ENV_FILE"] = str(env_file)
    env.update(extra)
    return env


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_readme_shows_manage_commands_to_check() -> None:
    assert {"import", "export", "load_demo", "db_worker", "run_schedule"} <= set(readme_manage_commands())


def test_make_run_writes_a_private_secret_once_and_keeps_it(tmp_path: Path) -> None:
    env_file = write_local_settings(tmp_path)
    first = env_file.read_text()
    assert "DEBUG=true" in first.splitlines()
    secret = next(line for line in first.splitlines() if line.startswith("SECRET_KEY="))
    assert len(secret.removeprefix("SECRET_KEY=")) >= 50
    assert env_file.stat().st_mode & 0o077 == 0
    write_local_settings(tmp_path)
    assert env_file.read_text() == first


def test_every_manage_command_in_the_readme_runs_with_the_written_settings(tmp_path: Path) -> None:
    env = developer_shell(
        write_local_settings(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'first.sqlite3'}"
    )
    migrated = manage(env, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    for command in readme_manage_commands():
        result = manage(env, command, "--help")
        assert result.returncode == 0, f"manage.py {command}: {result.stderr}"
    assert manage(env, "check").returncode == 0


def test_without_the_file_manage_commands_still_ask_for_a_secret(tmp_path: Path) -> None:
    result = manage(developer_shell(tmp_path / "absent"), "check")
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY." in result.stderr


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.local"
    env_file.write_text("# a comment\n\nDEBUG=true\nSECRET_KEY=from-the-file-" + "x" * 40 + "\n")
    code = "import touchstone.settings as s; print(s.DEBUG, s.SECRET_KEY[:20])"
    env = developer_shell(env_file, SECRET_KEY="from-the-environment-" + "y" * 40)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "from-the-environment"], result.stderr


@pytest.mark.parametrize("line", ["DEBUG true", "debug=true", "=true", "export DEBUG=true"])
def test_a_line_that_is_not_name_equals_value_is_refused_naming_the_line(tmp_path: Path, line: str) -> None:
    env_file = tmp_path / ".env.local"
    env_file.write_text(f"DEBUG=true\n{line}\n")
    result = manage(developer_shell(env_file), "check")
    assert result.returncode != 0
    assert f"{env_file}, line 2: write NAME=value" in result.stderr
