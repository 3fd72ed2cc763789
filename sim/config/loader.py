"""Load YAML scenario files into pydantic models, with errors a user can act on.

- YAML is read with a safe loader only; tags such as `!!python/object` are errors.
- `extends: parent.yaml` (top level, relative to the file) loads the parent first and
  deep-merges the child over it: mappings key by key, lists and scalars replaced, and a
  distribution whose `dist` the child changes replaced whole. Only a regular file named
  `.yaml` or `.yml` may be extended.
- Overrides `a.b.0.c=value` (the CLI's `--set`) are applied last; the value is YAML.
- Every dotted path keeps the file and line it came from, so a validation error reads
  `scenarios/x.yaml:12: sources.resident.rate: Input should be greater than or equal to 0`;
  a value reached through a YAML alias or merge key (`<<: *base`) keeps the line of the anchor.
- Input is bounded (sim.config.limits): a file's size, nesting depth, entries of a list or
  mapping and values after expanding aliases are checked while it is read, before anything
  is built from it.

Unlike plain YAML 1.1, `19:30` stays the string "19:30" (not the base-60 integer 1170) and
`1e-3` is a float. Nothing is written to disk.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.config.limits import LIMITS_ENV, Limits, LimitsError, limits, number, over

__all__ = [
    "Origin",
    "Problem",
    "ScenarioError",
    "apply_overrides",
    "is_file",
    "load_data",
    "load_validated",
    "located",
    "validate_dict",
    "validate_loaded",
]

M = TypeVar("M", bound=BaseModel)

Origin = tuple[str, int | None]
"""Where a value was defined: (file, 1-based line), or ("--set", None) for an override."""

OVERRIDE_SOURCE = "--set"
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: Suffixes of the files `extends:` may name.
YAML_SUFFIXES = (".yaml", ".yml")
#: Keys that say which kind a mapping is: a child that changes one replaces the mapping whole.
KIND_KEYS = ("dist",)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is and what is wrong."""

    file: str
    path: str  # dotted, list indices as numbers: sources.resident.mix.0
    line: int | None  # 1-based
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """Bad input in scenario files or overrides; `str()` gives one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def is_file(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a file; False, not an error, for a name no file can have (too long,
    holding a NUL), unlike `Path.is_file`."""
    return os.path.isfile(path)


def _fail(file: str, path: str, line: int | None, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, path, line, message)])


def checked_limits() -> Limits:
    """The limits in force; ScenarioError naming GRIDSIM_LIMITS if it does not parse."""
    try:
        return limits()
    except LimitsError as exc:
        raise ScenarioError(
            [Problem(LIMITS_ENV, name, None, message) for name, message in exc.problems]
        ) from None


# --- YAML -------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 base-60 numbers, with `1e3`-style floats, and bounded: the
    nesting depth, the entries of a list or mapping and the values of a document are checked
    as it is composed (ScenarioError naming the line and path). A value that cannot be built
    (an integer of more digits than Python converts, a date such as 2024-13-45) is a YAML
    error at its line."""

    def __init__(self, text: str, file: str = OVERRIDE_SOURCE) -> None:
        super().__init__(text)
        self.file = file
        self.limits = checked_limits()
        self.path: list[str] = []  # where the node composed is, for messages
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose one node, refusing what goes beyond the limits."""
        if isinstance(index, int):
            segment = [str(index)]
        elif isinstance(index, ScalarNode):
            segment = [str(index.value)]
        else:  # the document, a key, or a value of a complex key
            segment = []
        self.path += segment
        self.depth += 1  # keys count too: `? [[[...]]]: 1` nests as deep as a value
        try:
            line = self.peek_event().start_mark.line + 1
            where = ".".join(self.path)
            self.nodes += 1
            if self.nodes > self.limits.nodes:
                raise _fail(self.file, where, line, f"too many values: {over('nodes', self.nodes)}")
            if self.depth > self.limits.depth:
                raise _fail(self.file, where, line, f"nested too deep: {over('depth', self.depth)}")
            if parent is not None and index is None and len(parent.value) >= self.limits.items:
                entries = len(parent.value) + 1
                raise _fail(self.file, where, line, f"too many entries: {over('items', entries)}")
            if isinstance(index, int) and index >= self.limits.items:
                raise _fail(self.file, where, line, f"too many entries: {over('items', index + 1)}")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            del self.path[len(self.path) - len(segment) :]

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Construct one value; one that cannot be built is a YAML error at its line."""
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            reason = str(exc).split(";")[0]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({reason})", node.start_mark
            ) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":int", ":float"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[01_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*))$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.VERBOSE,
    ),
    list("-+0123456789."),
)


def _yaml_problem(exc: yaml.YAMLError, file: str, text: str = "") -> Problem:
    """A readable problem for a YAML syntax or construction error. It never quotes the file's
    lines (PyYAML's snippets): a file reached by `extends:` is not shown."""
    line = None
    message = type(exc).__name__
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = (
            f"character #x{character:04x} is not allowed (NUL and control characters cannot "
            "appear in a YAML file)"
        )
    elif isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = exc.problem or exc.context or "unreadable"
        if exc.problem and exc.context:
            where = f" on line {exc.context_mark.line + 1}" if exc.context_mark else ""
            message = f"{exc.problem} ({exc.context}{where})"
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in message:
        message += "; scenario files are plain YAML, tags such as !!python/object are not allowed"
    return Problem(file, "", line, f"invalid YAML: {message}")


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _record_lines(node: Node, prefix: str, file: str, origins: dict[str, Origin]) -> None:
    """Record the line of every path below `node`; reject duplicate keys. A value reached by
    an alias, or merged by `<<:`, is recorded with the lines of its anchor; a key written in
    the mapping itself wins over a merged one."""
    checked: set[int] = set()  # mappings whose keys were checked for duplicates
    active: set[int] = set()  # nodes being walked: an alias of one of them is recursive
    limit = checked_limits().nodes
    visits = 0

    def walk(node: Node, prefix: str) -> None:
        nonlocal visits
        visits += 1
        if visits > limit:
            message = f"too many values after expanding YAML aliases: {over('nodes', visits)}"
            raise _fail(file, prefix, node.start_mark.line + 1, message)
        if id(node) in active:  # a recursive alias, reported when the data is copied
            return
        active.add(id(node))
        if isinstance(node, MappingNode):
            own = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
            if id(node) not in checked:
                checked.add(id(node))
                _check_duplicates(own, prefix, file)
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    merged = (
                        value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                    )
                    for source in reversed(merged):  # the first mapping merged wins
                        walk(source, prefix)
            for key_node, value_node in own:
                if isinstance(key_node, ScalarNode):
                    path = _join(prefix, key_node.value)
                    origins[path] = (file, key_node.start_mark.line + 1)
                    walk(value_node, path)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                path = _join(prefix, index)
                origins[path] = (file, item.start_mark.line + 1)
                walk(item, path)
        active.discard(id(node))

    walk(node, prefix)


def _check_duplicates(pairs: list[tuple[Node, Node]], prefix: str, file: str) -> None:
    """Refuse a key written twice in one mapping."""
    first: dict[tuple[str, str], int] = {}
    for key_node, _ in pairs:
        if not isinstance(key_node, ScalarNode):
            continue
        line = key_node.start_mark.line + 1
        if (key_node.tag, key_node.value) in first:
            earlier = first[(key_node.tag, key_node.value)]
            message = f"duplicate key (first defined on line {earlier})"
            raise _fail(file, _join(prefix, key_node.value), line, message)
        first[(key_node.tag, key_node.value)] = line


def _plain(value: Any, file: str) -> Any:
    """A copy with no shared (aliased) containers, so edits at one path stay at that path."""
    count = 0
    active: set[int] = set()
    limit = checked_limits().nodes

    def copy(value: Any) -> Any:
        nonlocal count
        count += 1
        if count > limit:
            message = f"too many values after expanding YAML aliases: {over('nodes', count)}"
            raise _fail(file, "", None, message)
        if not isinstance(value, dict | list):
            return value
        if id(value) in active:
            raise _fail(file, "", None, "recursive YAML alias (a value contains itself)")
        active.add(id(value))
        if isinstance(value, dict):
            result: Any = {key: copy(item) for key, item in value.items()}
        else:
            result = [copy(item) for item in value]
        active.discard(id(value))
        return result

    return copy(value)


def _parse(text: str, file: str) -> tuple[dict[str, Any], dict[str, Origin]]:
    """Parse one YAML document that must be a mapping; return data and per-path origins."""
    loader = None
    try:
        loader = _Loader(text, file)
        node = loader.get_single_node()
        if node is None:
            raise _fail(file, "", None, "file is empty; expected a mapping of settings")
        if not isinstance(node, MappingNode):
            line = node.start_mark.line + 1
            raise _fail(file, "", line, "the top level must be a mapping of settings (key: value)")
        origins: dict[str, Origin] = {"": (file, None)}
        _record_lines(node, "", file, origins)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, file, text)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return _plain(data, file), origins


def _read_text(file: str, regular: bool = False) -> str:
    """The file's text, at most the `file_bytes` limit of it (`regular`: only a regular file,
    never a device, a pipe or a folder); a reason it cannot be read in ValueError."""
    limit = checked_limits().file_bytes
    try:
        if "\0" in file:
            raise ValueError("the name holds a NUL character")
        if regular and os.path.exists(file) and not stat.S_ISREG(os.stat(file).st_mode):
            kind = "a directory" if os.path.isdir(file) else "a device, pipe or socket"
            raise ValueError(f"is {kind}, not a regular file")
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ValueError(
                f"too large: more than {number(limit)} bytes ({over('file_bytes', len(data))})"
            )
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        reason = "file not found"
    except IsADirectoryError:
        reason = "is a directory, not a file"
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    raise ValueError(reason)


# --- extends ----------------------------------------------------------------------------


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted path in `value`, starting with `prefix` itself."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, _join(prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, _join(prefix, index))


def merge_mappings(parent: Any, child: Any) -> Any:
    """Child over parent: mappings merged key by key, anything else replaced by the child. A
    mapping whose kind the child changes (`dist: exponential` over `dist: lognormal`) is
    replaced whole: the parent's `median` and `cv` do not belong to the child's kind."""
    if isinstance(parent, dict) and isinstance(child, dict):
        if any(key in parent and key in child and parent[key] != child[key] for key in KIND_KEYS):
            return child
        merged = dict(parent)
        for key, value in child.items():
            merged[key] = merge_mappings(parent[key], value) if key in parent else value
        return merged
    return child


def _load_file(
    file: str, chain: tuple[tuple[str, str], ...], referrer: Origin | None
) -> tuple[dict[str, Any], dict[str, Origin]]:
    """Load `file` and, recursively, the files it extends. `chain` holds (realpath, name)."""
    try:
        text = _read_text(file, regular=referrer is not None)
    except ValueError as exc:
        if referrer is None:
            raise _fail(file, "", None, f"cannot read scenario: {exc}") from None
        raise _fail(referrer[0], "extends", referrer[1], f"cannot read {file}: {exc}") from None
    data, origins = _parse(text, file)
    if "extends" not in data:
        return data, origins

    parent_name = data.pop("extends")
    line = origins["extends"][1]
    for path in [p for p in origins if p == "extends" or p.startswith("extends.")]:
        del origins[path]
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise _fail(file, "extends", line, "extends must be the name of a scenario file")
    if "\0" in parent_name:
        raise _fail(file, "extends", line, "the file name holds a NUL character")
    parent = os.path.normpath(os.path.join(os.path.dirname(file), parent_name))
    if not all(name.lower().endswith(YAML_SUFFIXES) for name in (parent, os.path.realpath(parent))):
        message = f"cannot extend {parent_name!r}: only a YAML file (.yaml or .yml) can be extended"
        raise _fail(file, "extends", line, message)
    chain = (*chain, (os.path.realpath(file), file))
    if any(real == os.path.realpath(parent) for real, _ in chain):
        names = " -> ".join([name for _, name in chain] + [parent])
        raise _fail(file, "extends", line, f"extends cycle: {names}")
    parent_data, parent_origins = _load_file(parent, chain, (file, line))

    merged = merge_mappings(parent_data, data)
    merged_origins = {
        path: origins.get(path, parent_origins.get(path, (file, None))) for path in _paths(merged)
    }
    merged_origins[""] = (file, None)
    return merged, merged_origins


# --- overrides --------------------------------------------------------------------------


def _override_value(text: str) -> Any:
    """Parse an override value as YAML (scalar or flow), safely."""
    loader = _Loader(text)
    try:
        return _plain(loader.get_single_data(), OVERRIDE_SOURCE)
    finally:
        loader.dispose()


def _set(data: dict[str, Any], segments: list[str], value: Any) -> list[str]:
    """Set `value` at `segments`, creating missing mappings; return the normalised path."""
    current: Any = data
    done: list[str] = []
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        here = ".".join(done) or "the top level"
        if isinstance(current, dict):
            key: Any = segment
            if key not in current and segment.isdecimal() and int(segment) in current:
                key = int(segment)
            if last:
                current[key] = value
            else:
                if current.get(key) is None:
                    current[key] = {}
                current = current[key]
        elif isinstance(current, list):
            if not segment.isdecimal():
                raise ValueError(f"{here} is a list; {segment!r} is not a list index")
            index = int(segment)
            if index >= len(current):
                raise ValueError(
                    f"index {index} is out of range ({here} has length {len(current)})"
                )
            if last:
                current[index] = value
            else:
                current = current[index]
        else:
            raise ValueError(f"cannot set {segment!r} inside {here}, which is {current!r}")
        done.append(segment)
    return done


def apply_overrides(
    data: dict[str, Any], origins: dict[str, Origin], overrides: Iterable[str]
) -> None:
    """Apply `a.b.0.c=value` overrides to `data` in place and mark their origin `--set`."""
    problems: list[Problem] = []
    for text in overrides:
        path_text, equals, value_text = text.partition("=")
        path_text = path_text.strip()
        if not equals:
            message = "expected KEY=VALUE, e.g. grid_workers.per_grid=2"
            problems.append(Problem(OVERRIDE_SOURCE, path_text, None, message))
            continue
        segments = [segment.strip() for segment in path_text.split(".")]
        if not path_text or not all(segments):
            problems.append(Problem(OVERRIDE_SOURCE, path_text, None, f"{text!r}: empty key"))
            continue
        if len(segments) >= checked_limits().depth:
            message = f"key nested too deep: {over('depth', len(segments))}"
            problems.append(Problem(OVERRIDE_SOURCE, path_text[:80], None, message))
            continue
        try:
            value = _override_value(value_text)
        except yaml.YAMLError as exc:
            message = _yaml_problem(exc, OVERRIDE_SOURCE).message
            problems.append(Problem(OVERRIDE_SOURCE, path_text, None, f"bad value: {message}"))
            continue
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        try:
            done = _set(data, segments, value)
        except ValueError as exc:
            problems.append(Problem(OVERRIDE_SOURCE, path_text, None, str(exc)))
            continue
        path = ".".join(done)
        for old in [p for p in origins if p == path or p.startswith(path + ".")]:
            del origins[old]
        for position in range(1, len(done)):
            origins.setdefault(".".join(done[:position]), (OVERRIDE_SOURCE, None))
        for new in _paths(value, path):
            origins[new] = (OVERRIDE_SOURCE, None)
    if problems:
        raise ScenarioError(problems)


# --- validation -------------------------------------------------------------------------


def _data_path(error: Any, data: Any) -> str:
    """The user's dotted path for a pydantic error: drops union tags and validator names."""
    loc = error["loc"]
    segments: list[str] = []
    current = data
    for position, segment in enumerate(loc):
        in_dict = isinstance(current, dict) and segment in current
        in_list = isinstance(current, list) and isinstance(segment, int)
        if in_dict or (in_list and 0 <= int(segment) < len(current)):
            current = current[segment]
            segments.append(str(segment))
        elif position == len(loc) - 1 and error["type"] == "missing":
            segments.append(str(segment))
        # anything else is a union member or tag name, not part of the user's data
    if error["type"] == "union_tag_invalid":  # point at the `dist:` key itself
        key = str(error.get("ctx", {}).get("discriminator", "")).strip("'")
        if isinstance(current, dict) and key in current:
            segments.append(key)
    return ".".join(segments)


_PREFIXES = ("Value error, ", "Assertion failed, ")
#: Errors whose message already says what was given (or that nothing was).
_OWN_MESSAGES = ("missing", "value_error", "assertion_error")


def _message(error: Any) -> str:
    message = str(error["msg"])
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    ctx = error.get("ctx") or {}
    key = str(ctx.get("discriminator", "")).strip("'")
    if error["type"] == "extra_forbidden":
        message = "unknown key (not a setting here; check the spelling)"
    elif error["type"] == "union_tag_invalid":
        message = f"unknown {key} {ctx.get('tag')!r}; expected one of: {ctx.get('expected_tags')}"
    elif error["type"] == "union_tag_not_found":
        message = f"missing the {key!r} key that says which kind this is"
    elif error["type"] not in _OWN_MESSAGES and isinstance(error.get("input"), str | int | float):
        message = f"{message} (got {error['input']!r})"
    return message


def _origin(path: str, origins: dict[str, Origin], default_file: str) -> Origin:
    """Where `path`, or its nearest ancestor that exists, was defined."""
    probe = path
    while probe not in origins:
        if not probe:
            return (default_file, None)
        probe = probe.rpartition(".")[0]
    return origins[probe]


def _problems(
    exc: ValidationError, data: Any, origins: dict[str, Origin], default_file: str
) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        path = _data_path(error, data)
        file, line = _origin(path, origins, default_file)
        problem = Problem(file, path, line, _message(error))
        if problem not in problems:
            problems.append(problem)
    return problems


def _validate(data: Any, model_cls: type[M], origins: dict[str, Origin], default_file: str) -> M:
    """Validate the data, then check its cross-references if the model has any
    (`reference_problems()` returning (dotted path, message) pairs). Validators find the file
    validated as `info.context["file"]` (files it names are relative to its folder)."""
    checked_limits()
    try:
        model = model_cls.model_validate(data, context={"file": default_file})
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, data, origins, default_file)) from exc
    references = getattr(model, "reference_problems", None)
    problems = located(references() if references else [], origins, default_file)
    if problems:
        raise ScenarioError(problems)
    return model


def located(
    pairs: Iterable[tuple[str, str]], origins: dict[str, Origin], default_file: str
) -> list[Problem]:
    """(dotted path, message) pairs as problems with the file and line each path came from."""
    problems = []
    for path, message in pairs:
        file, line = _origin(path, origins, default_file)
        problems.append(Problem(file, path, line, message))
    return problems


def validate_loaded(
    data: Any, origins: dict[str, Origin], model_cls: type[M], default_file: str
) -> M:
    """Validate data from `load_data` (with its origins) as `validate_dict` does in-memory data,
    every problem naming its file and line."""
    return _validate(data, model_cls, origins, default_file)


def load_data(
    path: str | os.PathLike[str], overrides: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, Origin]]:
    """Load a YAML file with its `extends:` chain and overrides, without validating.

    Returns the resolved data and, per dotted path, the (file, line) it came from.
    """
    file = os.fspath(path)
    data, origins = _load_file(file, (), None)
    apply_overrides(data, origins, overrides)
    _resolve_paths(data, origins, file)
    return data, origins


#: Settings that name a file or folder. A relative one is taken from the folder of the file
#: that says it (from the working directory when given with --set), so a run finds it from
#: anywhere: another directory, a worker process, a cluster's node.
#: `*` stands for any key of a mapping (every team).
PATH_SETTINGS = ("warm_start.from_run", "grid_workers.table", "teams.*.table")


def _resolve_paths(data: dict[str, Any], origins: dict[str, Origin], default_file: str) -> None:
    for pattern in PATH_SETTINGS:
        for dotted, node, key in _settings_matching(data, pattern.split(".")):
            if not isinstance(node.get(key), str):
                continue
            file, _ = _origin(dotted, origins, default_file)
            base = Path.cwd() if file == "--set" else Path(file).resolve().parent
            node[key] = str(base / node[key])  # an absolute path stays as it is


def referenced_files(data: dict[str, Any]) -> list[Path]:
    """The files a resolved scenario reads besides its own YAML (staffing tables, the cases of
    a warm start's run folder), that exist: what else its results depend on."""
    out = []
    for pattern in PATH_SETTINGS:
        for _, node, key in _settings_matching(data, pattern.split(".")):
            if isinstance(node.get(key), str):
                path = Path(node[key])
                path = path / "cases.parquet" if os.path.isdir(path) else path
                if is_file(path):
                    out.append(path)
    return out


def _settings_matching(node: Any, keys: list[str], prefix: str = "") -> Iterator[tuple]:
    """(dotted path, mapping, key) of every setting of `node` matching `keys` (`*`: any)."""
    if not isinstance(node, dict):
        return
    first, rest = keys[0], keys[1:]
    names = list(node) if first == "*" else [first] if first in node else []
    for name in names:
        dotted = f"{prefix}{name}"
        if rest:
            yield from _settings_matching(node[name], rest, f"{dotted}.")
        else:
            yield dotted, node, name


def load_validated(
    path: str | os.PathLike[str],
    model_cls: type[M],
    overrides: Iterable[str] = (),
    append: dict[str, tuple[str, list[Any]]] | None = None,
) -> tuple[M, dict[str, Any]]:
    """Load, merge `extends:`, apply overrides, add items to top-level lists (`append`: key →
    (where the items come from, for messages; the items)), and validate; return the model and
    the data.

    Raises ScenarioError listing every problem with its file, line and field path.
    """
    data, origins = load_data(path, overrides)
    for key, (origin, items) in (append or {}).items():
        before = list(data.get(key) or [])
        data[key] = [*before, *items]
        origins.setdefault(key, (origin, None))
        for i in range(len(before), len(data[key])):
            for item_path in _paths(data[key][i], f"{key}.{i}"):
                origins[item_path] = (origin, None)
    return _validate(data, model_cls, origins, os.fspath(path)), data


def validate_dict(data: Any, model_cls: type[M], source: str = "<dict>") -> M:
    """Validate in-memory data (tests, notebooks), raising the same ScenarioError."""
    return _validate(data, model_cls, {"": (source, None)}, source)
