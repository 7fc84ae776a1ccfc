"""The ``pylmod`` command's config file hygiene and its transport settings
(pylmod.cli.config_file, pylmod.cli.options): which config file is read,
which is refused, ``--allow-http`` and ``--deadline``."""
import json
import os
from typing import Any, Dict

import pytest

from pylmod.cli import main
from pylmod.cli.config_file import default_config_path

CONFIG = '[pylmod]\nurl = https://lmod.example/\n'
ROOT = os.getuid() == 0 if hasattr(os, 'getuid') else False


@pytest.fixture(autouse=True)
def clean_environment(no_user_settings: Any) -> Any:
    """Every test: no user settings (see ``no_user_settings``)."""
    return no_user_settings


def settings(capsys: Any, *argv: Any) -> Dict[str, Any]:
    capsys.readouterr()
    status = main(['--format', 'json', *map(str, argv), 'config'])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return {row['setting']: (row['value'], row['source'])
            for row in json.loads(captured.out)}


def refusal(capsys: Any, *argv: Any) -> str:
    capsys.readouterr()
    assert main([*map(str, argv), 'config']) == 2
    return str(capsys.readouterr().err)


def user_config(home: Any, text: str = CONFIG, mode: int = 0o600) -> Any:
    directory = home / '.config'
    directory.mkdir(mode=0o700, exist_ok=True)
    path = directory / 'pylmod.ini'
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_an_own_config_file_is_read(capsys: Any,
                                    clean_environment: Any) -> None:
    path = user_config(clean_environment)
    assert settings(capsys)['url'] == ('https://lmod.example/',
                                       'config {0}'.format(path))


def test_a_config_anyone_may_write_is_refused(capsys: Any,
                                              clean_environment: Any) -> None:
    path = user_config(clean_environment, mode=0o666)
    message = refusal(capsys)
    assert 'config file {0} is writable by every user'.format(path) in message
    assert 'chmod go-w {0}'.format(path) in message


def test_a_config_in_a_directory_anyone_may_write_is_refused(
        capsys: Any, tmp_path: Any) -> None:
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(shared, 0o777)
    (shared / 'lmod.ini').write_text(CONFIG)
    os.chmod(shared / 'lmod.ini', 0o600)
    message = refusal(capsys, '--config', shared / 'lmod.ini')
    assert 'a directory every user may write to' in message
    # With the sticky bit (as /tmp) nobody else may replace it.
    os.chmod(shared, 0o1777)
    assert settings(capsys, '--config', shared / 'lmod.ini')['url'][0] == (
        'https://lmod.example/')


@pytest.mark.skipif(not ROOT, reason='giving a file away needs root')
def test_a_config_of_another_user_is_refused(capsys: Any,
                                             clean_environment: Any) -> None:
    path = user_config(clean_environment)
    os.chown(path, 54321, -1)
    assert 'belongs to another user (uid 54321)' in refusal(capsys)


@pytest.mark.skipif(not ROOT, reason='giving a file to a group needs root')
def test_a_config_a_shared_group_may_write_is_read_with_a_warning(
        capsys: Any, clean_environment: Any) -> None:
    path = user_config(clean_environment, mode=0o664)
    os.chown(path, -1, 54321)  # a group that is nobody's own
    capsys.readouterr()
    assert main(['config']) == 0
    err = capsys.readouterr().err
    assert 'pylmod: warning: config file {0} is writable by group 54321'\
        .format(path) in err


def test_no_config_is_read_from_the_working_directory(
        capsys: Any, tmp_path: Any, monkeypatch: Any) -> None:
    work = tmp_path / 'work'
    (work / 'config').mkdir(parents=True)
    (work / 'config' / 'pylmod.ini').write_text(CONFIG)
    (work / 'pylmod.ini').write_text(CONFIG)
    monkeypatch.chdir(work)
    # A relative XDG_CONFIG_HOME is ignored (the XDG rule)...
    monkeypatch.setenv('XDG_CONFIG_HOME', 'config')
    assert settings(capsys)['config'] == (None, 'no file')
    assert os.path.isabs(default_config_path({'XDG_CONFIG_HOME': 'config'}))
    # ... a relative PYLMOD_CONFIG is refused ...
    monkeypatch.setenv('PYLMOD_CONFIG', 'pylmod.ini')
    assert 'PYLMOD_CONFIG must be an absolute path' in refusal(capsys)
    # ... and only --config names a file here.
    monkeypatch.delenv('PYLMOD_CONFIG')
    assert settings(capsys, '--config', 'pylmod.ini')['url'][0] == (
        'https://lmod.example/')


def test_no_home_no_default_config() -> None:
    assert default_config_path({'XDG_CONFIG_HOME': '/etc/xdg'}) == (
        '/etc/xdg/pylmod.ini')


def test_allow_http_and_deadline_settings(capsys: Any, clean_environment: Any,
                                          monkeypatch: Any) -> None:
    shown = settings(capsys)
    assert shown['allow_http'] == (False, 'default')
    assert shown['deadline'] == (600.0, 'library default')
    shown = settings(capsys, '--allow-http', '--timeout', '2')
    assert shown['allow_http'] == (True, 'flag')
    assert shown['deadline'] == (6.0, 'library default')
    monkeypatch.setenv('PYLMOD_ALLOW_HTTP', 'yes')
    monkeypatch.setenv('PYLMOD_DEADLINE', '30')
    shown = settings(capsys)
    assert shown['allow_http'] == (True, 'env PYLMOD_ALLOW_HTTP')
    assert shown['deadline'] == (30.0, 'env PYLMOD_DEADLINE')
    monkeypatch.setenv('PYLMOD_ALLOW_HTTP', 'maybe')
    assert 'expected yes or no' in refusal(capsys)


def test_an_http_url_is_refused_without_allow_http(capsys: Any,
                                                   lmod_server: Any) -> None:
    argv = ['--url', 'http://127.0.0.1:9/', '--cert',
            lmod_server.client_cert, '--gradebook-id', '1', 'students']
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert 'refusing the LMod URL http://127.0.0.1:9/' in err
    assert '--allow-http' in err
    # Allowed, it is tried (nothing listens there).
    assert main(['--allow-http', '--retries', '0', *argv]) == 1
    assert 'cannot connect to LMod' in capsys.readouterr().err


def test_a_timeout_is_reported_with_the_settings_to_change(
        capsys: Any, lmod_server: Any) -> None:
    lmod_server.delay_next(5, 30, path_prefix='gradebook/options/')
    capsys.readouterr()
    status = main(['--url', lmod_server.url, '--cert',
                   lmod_server.client_cert, '--ca-bundle',
                   lmod_server.ca_cert, '--gradebook-id', '1293808',
                   '--timeout', '0.5', '--deadline', '1', 'options'])
    err = capsys.readouterr().err
    assert status == 1
    assert 'within the deadline of 1 s' in err
    assert '(--deadline, --timeout)' in err
