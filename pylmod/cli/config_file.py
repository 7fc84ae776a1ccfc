"""Which config file the ``pylmod`` command reads, and when it refuses one.

A config file can name the LMod server, the CA bundle that verifies it and
the client certificate: whoever can change it can send your grades (and the
trust in the server) elsewhere.  So:

* no config file is read from the working directory unless you name it
  with ``--config``: the default is ``$XDG_CONFIG_HOME/pylmod.ini`` when
  that variable holds an absolute path (a relative one is ignored, as the
  XDG specification says), else ``~/.config/pylmod.ini``, and there is
  none when the home directory is unknown; ``PYLMOD_CONFIG`` must be an
  absolute path;
* a config file others may change is refused (exit status 2): one anyone
  may write to, one in a directory anyone may write to (unless it has the
  sticky bit, as ``/tmp`` has), one owned by another user than you (or
  root);
* one a group of several users may write to (the file or its directory)
  is read with a warning; a group of your own (the private group of a
  user, as many systems give each user) is not a warning.

On systems without POSIX permissions (Windows) nothing is checked.
"""
import os
import stat
from typing import List, Mapping, Optional, Tuple

try:
    import grp
    import pwd
except ImportError:  # pragma: no cover - not POSIX: nothing is checked
    grp = pwd = None  # type: ignore[assignment]


def default_config_path(environ: Mapping[str, str]) -> Optional[str]:
    """Return ``$XDG_CONFIG_HOME/pylmod.ini`` (``~/.config/pylmod.ini``),
    always an absolute path, or ``None`` when there is none to read (no
    home directory)."""
    config_home = environ.get('XDG_CONFIG_HOME') or ''
    if not os.path.isabs(config_home):
        home = os.path.expanduser('~')
        if not os.path.isabs(home):
            return None
        config_home = os.path.join(home, '.config')
    return os.path.join(config_home, 'pylmod.ini')


def _group_is_private(gid: int, uid: int) -> bool:
    """The group is the private group of the user: same name, nobody
    else in it."""
    try:
        group = grp.getgrgid(gid)
        user = pwd.getpwuid(uid)
    except KeyError:
        return False
    return group.gr_name == user.pw_name and set(group.gr_mem) <= {
        user.pw_name}


def permission_problems(path: str, status: os.stat_result
                        ) -> Tuple[str, List[str]]:
    """What is wrong with who may change a config file.

    Args:
        path: the file.
        status: its :func:`os.fstat` (of the file opened for reading).

    Returns:
        tuple: ``(refusal, warnings)``: why the file must not be read
        (``''``: it may be), and what to warn about.
    """
    if grp is None or pwd is None:
        return '', []
    directory = os.path.dirname(os.path.abspath(path))
    folder = os.stat(directory)
    fix = 'fix it with: chmod go-w {0}'
    if status.st_mode & stat.S_IWOTH:
        return ('config file {0} is writable by every user (mode {1:04o}); '
                'pylmod does not read it: {2}'.format(
                    path, stat.S_IMODE(status.st_mode),
                    fix.format(path))), []
    if folder.st_mode & stat.S_IWOTH and not folder.st_mode & stat.S_ISVTX:
        return ('config file {0} is in {1}, a directory every user may write '
                'to (mode {2:04o}): anyone could replace it; pylmod does not '
                'read it: move it, or {3}'.format(
                    path, directory, stat.S_IMODE(folder.st_mode),
                    fix.format(directory))), []
    if status.st_uid not in (os.getuid(), 0):
        return ('config file {0} belongs to another user (uid {1}); pylmod '
                'reads only your own (or root\'s)'.format(
                    path, status.st_uid)), []
    warnings = [
        '{0} {1} is writable by group {2} (mode {3:04o}): its members could '
        'point pylmod at another server; {4}'.format(
            what, name, item.st_gid, stat.S_IMODE(item.st_mode),
            fix.format(name))
        for what, name, item in (('config file', path, status),
                                 ('the directory of config file', directory,
                                  folder))
        if item.st_mode & stat.S_IWGRP and not item.st_mode & stat.S_ISVTX
        and not _group_is_private(item.st_gid, status.st_uid)]
    return '', warnings
