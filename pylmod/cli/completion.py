"""``pylmod completion bash|zsh``: shell completion of the commands and
their options, with no dependency.

The script is written from the parser itself (:func:`completion_script`),
so it knows every command and option of the installed version.  Enable it
with ``eval "$(pylmod completion bash)"`` in ``~/.bashrc``, or ``eval
"$(pylmod completion zsh)"`` in ``~/.zshrc`` (zsh runs the same function
through its ``bashcompinit``).
"""
import argparse
import shlex
import sys
from typing import Any, Dict, List, Tuple

from pylmod.cli.errors import EXIT_OK

#: The shells ``pylmod completion`` writes a script for.
SHELLS = ('bash', 'zsh')

#: A command's path (``''``, ``'upload'``, ``'openedx push-grades'``) ->
#: ``(its options, its subcommands)``.
CommandTree = Dict[str, Tuple[List[str], List[str]]]


def command_tree(parser: argparse.ArgumentParser, path: str = '',
                 tree: Any = None) -> CommandTree:
    """Return the options and subcommands of ``parser`` and of every
    command under it, by path."""
    tree = {} if tree is None else tree
    options: List[str] = []
    commands: List[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                commands.append(name)
                command_tree(command, (path + ' ' + name).strip(), tree)
        else:
            options.extend(option for option in action.option_strings
                           if option.startswith('--'))
    tree[path] = (sorted(set(options)), commands)
    return tree


def value_options(parser: argparse.ArgumentParser) -> List[str]:
    """The options of ``parser`` and its commands that take a value."""
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found.update(value_options(command))
        elif action.option_strings and action.nargs != 0:
            found.update(action.option_strings)
    return sorted(found)


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """Return the completion script of ``parser`` for ``shell`` (``bash``
    or ``zsh``)."""
    tree = command_tree(parser)
    cases = []
    for path, (options, commands) in sorted(tree.items()):
        cases.append('        {0}) opts={1}; cmds={2} ;;'.format(
            shlex.quote(path), shlex.quote(' '.join(options)),
            shlex.quote(' '.join(commands))))
    paths = '|'.join(shlex.quote(path) for path in sorted(tree) if path)
    script = BASH_TEMPLATE.format(
        values='|'.join(value_options(parser)), paths=paths,
        cases='\n'.join(cases))
    if shell == 'zsh':
        script = ('autoload -U +X compinit && compinit\n'
                  'autoload -U +X bashcompinit && bashcompinit\n' + script)
    return script


BASH_TEMPLATE = '''# pylmod completion: eval "$(pylmod completion bash)"
_pylmod() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" word i=1
    while (( i < COMP_CWORD )); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
            {values}) (( i++ )) ;;
            -*) ;;
            *) case "${{path:+$path }}$word" in
                   {paths}) path="${{path:+$path }}$word" ;;
               esac ;;
        esac
        (( i++ ))
    done
    local opts="" cmds=""
    case "$path" in
{cases}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    elif [[ -n "$cmds" ]]; then
        COMPREPLY=( $(compgen -W "$cmds" -- "$cur") )
    else
        COMPREPLY=()  # a file name or a value: the shell's default
    fi
}}
complete -o default -F _pylmod pylmod
'''


def completion_command(args: argparse.Namespace) -> int:
    """``pylmod completion SHELL``: print the script."""
    sys.stdout.write(completion_script(args.root_parser, args.shell))
    return EXIT_OK


def add_completion_command(subparsers: Any,
                           parents: List[argparse.ArgumentParser]
                           ) -> argparse.ArgumentParser:
    """Add ``pylmod completion SHELL``; the caller sets ``root_parser``
    (the ``pylmod`` parser) as its default once every command is added."""
    parser = subparsers.add_parser(
        'completion', parents=parents,
        help='print the shell completion script (bash or zsh)',
        description='Print the completion script of pylmod for a shell. '
                    'Enable it with eval "$(pylmod completion bash)" in '
                    '~/.bashrc, or eval "$(pylmod completion zsh)" in '
                    '~/.zshrc.')
    parser.add_argument('shell', choices=SHELLS, metavar='SHELL',
                        help='bash or zsh')
    parser.set_defaults(handler=completion_command)
    return parser
