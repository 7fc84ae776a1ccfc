"""The rules of the code's layout (docs/layout.rst), checked over ``ast``.

Every ``import`` in ``pylmod/`` counts, wherever it stands (in a function, or
under ``if TYPE_CHECKING:``): a lazy import hides a circle from the
interpreter, not from a reader.
"""
import ast
import importlib
import importlib.util
import pathlib
import subprocess
import sys
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent.parent / 'pylmod'

#: The modules outside pylmod/testing that may import it: the commands that
#: run the fakes (``pylmod serve-fake``, ``pylmod demo``, their Open edX
#: side).
TESTING_IMPORTERS = {'pylmod.cli.fake_commands',
                     'pylmod.cli.fake_openedx_commands'}

#: The client modules, where the endpoint methods (``multi_grade``) live.
CLIENT_MODULES = {'pylmod.gradebook', 'pylmod.membership'}


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def parse_modules() -> Dict[str, Tuple[pathlib.Path, ast.Module]]:
    return {module_name(path): (path, ast.parse(path.read_text('utf-8')))
            for path in sorted(PACKAGE_DIR.rglob('*.py'))}


MODULES = parse_modules()


def imported_names(name: str, tree: ast.Module) -> Iterator[str]:
    """Yield every module ``name`` imports (``from a import b`` yields
    ``a.b`` when that is a module, else ``a``)."""
    is_package = MODULES[name][0].name == '__init__.py'
    package = name if is_package else name.rpartition('.')[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parent = package.split('.')
                parent = parent[:len(parent) - node.level + 1]
                base = '.'.join(parent + ([base] if base else []))
            for alias in node.names:
                candidate = '{0}.{1}'.format(base, alias.name)
                yield candidate if candidate in MODULES else base


def import_graph() -> Dict[str, Set[str]]:
    graph: Dict[str, Set[str]] = {}
    for name, (_, tree) in MODULES.items():
        graph[name] = {imported for imported in imported_names(name, tree)
                       if imported in MODULES and imported != name}
    return graph


def find_cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Return one cycle per strongly connected component (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    cycles: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_circle() -> None:
    assert find_cycles(import_graph()) == []


def test_the_transport_imports_no_endpoint_table() -> None:
    imports = import_graph()['pylmod.base']
    assert not {name for name in imports if name.endswith('endpoints')}


def test_the_openedx_library_imports_nothing_from_the_cli() -> None:
    offenders = {name: sorted(imported for imported in imports
                              if imported.startswith('pylmod.cli'))
                 for name, imports in import_graph().items()
                 if name.startswith('pylmod.openedx')}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_only_the_fake_commands_import_the_testing_package() -> None:
    importers = {name for name, imports in import_graph().items()
                 if not name.startswith('pylmod.testing')
                 and any(imported.startswith('pylmod.testing')
                         for imported in imports)}
    assert importers <= TESTING_IMPORTERS


PLUGIN = 'pylmod.openedx.plugin'
#: Where Django and Celery may be imported: the plugin, and the function of
#: pylmod.openedx.auth that configures Django for edx-rest-api-client.
FRAMEWORKS = ('django', 'celery', 'edx_django_utils', 'kombu')
FRAMEWORK_IMPORTERS = {'pylmod.openedx.auth'}


def in_plugin(name: str) -> bool:
    return name == PLUGIN or name.startswith(PLUGIN + '.')


def test_nothing_outside_the_plugin_imports_it() -> None:
    importers = {name for name, imports in import_graph().items()
                 if not in_plugin(name) and any(map(in_plugin, imports))}
    assert importers == set()


def test_django_and_celery_are_imported_by_the_plugin_only() -> None:
    importers = {name for name, (_, tree) in MODULES.items()
                 if not in_plugin(name) and any(
                     imported.split('.')[0] in FRAMEWORKS
                     for imported in imported_names(name, tree))}
    assert importers <= FRAMEWORK_IMPORTERS


def test_the_plugin_has_no_import_circle() -> None:
    graph = import_graph()
    plugin_graph = {name: {target for target in targets if in_plugin(target)}
                    for name, targets in graph.items() if in_plugin(name)}
    assert find_cycles(plugin_graph) == []


def test_the_plugin_package_imports_nothing() -> None:
    """``import pylmod.openedx.plugin`` must load no Django: its
    ``__init__`` imports nothing."""
    _, tree = MODULES[PLUGIN]
    assert list(imported_names(PLUGIN, tree)) == []


def multi_grade_calls() -> List[str]:
    calls = []
    for name, (_, tree) in MODULES.items():
        if name in CLIENT_MODULES:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == 'multi_grade'):
                calls.append('{0}:{1}'.format(name, node.lineno))
    return calls


def test_multi_grade_is_called_in_one_place_outside_the_clients() -> None:
    assert len(multi_grade_calls()) == 1, multi_grade_calls()


@pytest.mark.parametrize('graph, cycles', [
    ({'a': {'b'}, 'b': {'a'}, 'c': set()}, [['a', 'b']]),
    ({'a': {'b'}, 'b': {'c'}, 'c': set()}, []),
])
def test_find_cycles_finds_them(graph: Dict[str, Set[str]],
                                cycles: List[List[str]]) -> None:
    assert find_cycles(graph) == cycles


def test_import_pylmod_stays_light() -> None:
    """``import pylmod`` loads the clients, not the grade pipeline, the
    certificate file readers, the PKCS#12 reader or ``dataclasses`` (the
    first upload, certificate or PKCS#12 file does): they cost scripts that
    never use them (docs/performance.rst)."""
    code = (
        'import sys, requests\n'
        "had = 'dataclasses' in sys.modules\n"
        'import pylmod\n'
        "late = {'pylmod.grades', 'pylmod._transport.certificate_files', "
        "'pylmod._transport.pkcs12', 'dataclasses'}\n"
        "print(sorted(late & set(sys.modules) - ({'dataclasses'} if had "
        'else set())))\n')
    loaded = subprocess.run([sys.executable, '-c', code], check=True,
                            capture_output=True, text=True).stdout
    assert loaded.strip() == '[]'


TRANSPORT = 'pylmod._transport'
#: What the transport wing imports of pylmod besides itself.
TRANSPORT_IMPORTS = {'pylmod.exceptions', 'pylmod._faces'}


def in_transport(name: str) -> bool:
    return name == TRANSPORT or name.startswith(TRANSPORT + '.')


def test_outside_the_transport_wing_code_imports_its_face_only() -> None:
    """``from pylmod._transport import Limits``, never
    ``from pylmod._transport.bounds import Limits``: the wing's modules
    may move."""
    offenders = {name: sorted(imported for imported in imports
                              if imported.startswith(TRANSPORT + '.'))
                 for name, imports in import_graph().items()
                 if not in_transport(name)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_transport_wing_imports_no_endpoint_table_nor_client() -> None:
    outside = {name: sorted(imported for imported in imports
                            if not in_transport(imported))
               for name, imports in import_graph().items()
               if in_transport(name)}
    assert {name: found for name, found in outside.items()
            if set(found) - TRANSPORT_IMPORTS} == {}


def test_the_transport_wing_has_no_import_circle() -> None:
    graph = import_graph()
    wing = {name: {target for target in targets if in_transport(target)}
            for name, targets in graph.items() if in_transport(name)}
    assert wing and find_cycles(wing) == []


#: The packages whose ``__init__`` shows names of its modules, in the one
#: style of docs/layout.rst ("Package faces").
FACES = {'pylmod._transport', 'pylmod.grades', 'pylmod.openedx',
         'pylmod.testing', 'pylmod.testing.fake_openedx'}
#: Packages exempt: 1.0.x's face (``import pylmod`` loads the clients, as
#: 1.0.x did), and the command's own module.
NOT_FACES = {'pylmod', 'pylmod.cli'}


def home_module(face: str, home: str) -> str:
    """The module a face's ``_HOMES`` names (relative to the face)."""
    return importlib.util.resolve_name(
        home if home.startswith('.') else '.' + home, face)


def literal(tree: ast.Module, target: str) -> object:
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == target):
            return ast.literal_eval(node.value)
    return None


def type_checking_imports(name: str, tree: ast.Module) -> Dict[str, str]:
    """``{imported name: module}`` of the face's ``if TYPE_CHECKING:``."""
    found: Dict[str, str] = {}
    for node in tree.body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == 'TYPE_CHECKING'):
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), name
                for alias in statement.names:
                    found[alias.asname or alias.name] = statement.module or ''
    return found


def test_every_package_showing_names_is_a_face_of_the_one_style() -> None:
    showing = {name for name, (path, tree) in MODULES.items()
               if path.name == '__init__.py' and any(
                   imported.startswith(name + '.')
                   for imported in imported_names(name, tree))}
    assert showing - NOT_FACES == FACES


@pytest.mark.parametrize('face', sorted(FACES))
def test_a_face_names_each_name_once_with_its_home(face: str) -> None:
    _, tree = MODULES[face]
    homes = literal(tree, '_HOMES')
    assert isinstance(homes, dict)
    assert sorted(literal(tree, '__all__') or []) == sorted(homes)
    assert type_checking_imports(face, tree) == {
        public: home_module(face, home) for public, home in homes.items()}
    assert ast.dump(tree.body[-1]) == ast.dump(ast.parse(
        '__getattr__, __dir__ = lazy_names(__name__, _HOMES)').body[0])


@pytest.mark.parametrize('face', sorted(FACES))
def test_every_name_of_a_face_is_its_home_s(face: str) -> None:
    package = importlib.import_module(face)
    homes = literal(MODULES[face][1], '_HOMES')
    assert isinstance(homes, dict)
    for public, home in homes.items():
        defined = getattr(importlib.import_module(
            home_module(face, home)), public)
        assert getattr(package, public) is defined, public
    assert set(homes) <= set(dir(package))


def defined_names(tree: ast.Module) -> Set[str]:
    """The names a module defines at its top level (not those it
    imports)."""
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target])
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
    return names


def test_code_imports_each_name_from_its_home_or_a_face() -> None:
    """No import through a module that re-exports a name for compatibility
    (``pylmod.base``'s 2.0.0 names, ``pylmod.upload``, ...)."""
    homes = {name: defined_names(tree) for name, (_, tree) in MODULES.items()}
    faces = FACES | NOT_FACES
    through = []
    for name, (_, tree) in MODULES.items():
        for node in ast.walk(tree):
            if (not isinstance(node, ast.ImportFrom) or node.level
                    or node.module not in MODULES or node.module in faces):
                continue
            through.extend(
                '{0}: {1} from {2}'.format(name, alias.name, node.module)
                for alias in node.names
                if '{0}.{1}'.format(node.module, alias.name) not in MODULES
                and alias.name not in homes[node.module])
    assert sorted(set(through)) == []


#: Paths kept for the names pylmod 2.0.0 exported: callers may import them,
#: pylmod's own code imports from the real homes (pylmod.grades).
COMPATIBILITY_PATHS = {'pylmod.upload', 'pylmod.spreadsheet'}


def test_nothing_in_pylmod_imports_through_a_compatibility_path() -> None:
    importers = {name for name, imports in import_graph().items()
                 if imports & COMPATIBILITY_PATHS}
    assert importers == set()
