"""The pages a new user reads first (issue 23): docs/troubleshooting.rst
quotes messages the tests assert (each term of its lists is part of a
string a test compares the command's output with, so the page cannot drift
from what a user sees); the README names every extra; the task pages are in
the index."""
import ast
import configparser
from pathlib import Path

TESTS_DIR = Path(__file__).parent
ROOT = TESTS_DIR.parent
PAGE = ROOT / 'docs' / 'troubleshooting.rst'


def quoted_messages():
    """The terms of the page's definition lists: ````message````."""
    return [line[2:-2] for line in PAGE.read_text('utf-8').splitlines()
            if line.startswith('``') and line.endswith('``')]


def asserted_strings():
    """Every string constant of the tests (in every folder) but this one
    (adjacent literals joined, as Python joins them)."""
    strings = []
    for path in sorted(TESTS_DIR.rglob('test_*.py')):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text('utf-8'))
        strings.extend(node.value for node in ast.walk(tree)
                       if isinstance(node, ast.Constant)
                       and isinstance(node.value, str))
    return strings


def test_every_message_on_the_page_is_asserted_by_a_test():
    messages = quoted_messages()
    assert len(messages) > 20
    strings = asserted_strings()
    missing = [message for message in messages
               if not any(message in string for string in strings)]
    assert missing == []


def test_the_readme_names_every_extra():
    setup = configparser.ConfigParser()
    setup.read(ROOT / 'setup.cfg', encoding='utf-8')
    extras = list(setup['options.extras_require'])
    readme = (ROOT / 'README.rst').read_text('utf-8')
    assert 'cli' in extras
    assert [extra for extra in extras
            if "'pylmod[{0}]'".format(extra) not in readme
            and '``{0}``'.format(extra) not in readme] == []


def test_the_new_pages_are_in_the_index():
    index = (ROOT / 'docs' / 'index.rst').read_text('utf-8')
    for page in ('quick-reference', 'troubleshooting', 'end-of-term',
                 'openedx-sync', 'json-output', 'adding-commands'):
        assert '\n   {0}\n'.format(page) in index, page
    contributing = index.split(':caption: Contributing')[1]
    assert {'layout', 'adding-commands', 'performance'} <= set(
        contributing.split())
