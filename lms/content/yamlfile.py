"""YAML parsing that remembers the line of every key and list item."""

import yaml


class LineDict(dict):
    """A mapping from YAML with ``line`` (its own) and ``lines`` (per key)."""

    line = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {}
        self.duplicates = []

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence from YAML with ``line`` and ``lines`` (per item)."""

    line = 1

    def __init__(self, *args):
        super().__init__(*args)
        self.lines = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader whose mappings and sequences carry line numbers.

    libyaml's C parser (``CSafeLoader``) reads about seven times faster; PyYAML's pure-Python
    one is the fallback where libyaml is missing. Both give the same data and lines.
    """


class SourceInt(int):
    """An int that remembers how it was written (``12:30`` and ``010`` are ints in YAML 1.1)."""

    source = ""


class SourceFloat(float):
    """A float that remembers how it was written (``1.50``)."""

    source = ""


def written(value) -> str:
    """The text an author wrote for a scalar (numbers keep their spelling)."""
    return getattr(value, "source", None) or str(value)


def plain(value):
    """The same data with ordinary ints and floats (after text was taken with :func:`written`)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, SourceInt):
        return int(value)
    if isinstance(value, SourceFloat):
        return float(value)
    return value


def _int(loader, node):
    try:
        value = SourceInt(loader.construct_yaml_int(node))
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise yaml.constructor.ConstructorError(
            None, None, "this number has too many digits", node.start_mark
        ) from None
    value.source = node.value
    return value


def _float(loader, node):
    value = SourceFloat(loader.construct_yaml_float(node))
    value.source = node.value
    return value


_LineLoader.add_constructor("tag:yaml.org,2002:int", _int)
_LineLoader.add_constructor("tag:yaml.org,2002:float", _float)


def _mapping(loader, node):
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            result.duplicates.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader, node):
    result = LineList()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.lines.append(item.start_mark.line + 1)
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


class YamlError(ValueError):
    """Unparseable YAML, with the 1-based line of the fault."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def shift_lines(value, offset: int):
    """Add ``offset`` to every recorded line (for YAML embedded in a larger file)."""
    if isinstance(value, LineDict):
        value.line += offset
        value.lines = {k: v + offset for k, v in value.lines.items()}
        value.duplicates = [(k, v + offset) for k, v in value.duplicates]
        for item in value.values():
            shift_lines(item, offset)
    elif isinstance(value, LineList):
        value.line += offset
        value.lines = [v + offset for v in value.lines]
        for item in value:
            shift_lines(item, offset)
    return value


#: Nodes a document may hold once its aliases are expanded: a "billion laughs" file of a few
#: lines expands to 10**9 and would take hours to walk.
MAX_NODES = 100_000


def _check_size(root) -> None:
    """Refuse documents whose aliases expand past :data:`MAX_NODES` or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to the value it is part of", node.start_mark
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the document expands to more than {MAX_NODES} values (too many aliases)",
                    node.start_mark,
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(root)


def _load(text: str):
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(text: str, first_line: int = 1):
    """Parse ``text``; line numbers count from ``first_line``. Raises :class:`YamlError`."""
    try:
        data = _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1) if mark else 1
        problem = exc.problem or str(exc)
        raise YamlError(line + first_line - 1, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(first_line, "invalid YAML: nested too deeply") from None
    return shift_lines(data, first_line - 1)


def split_front_matter(text: str):
    """Split ``---`` front matter from a markdown file.

    Returns ``(yaml_text, yaml_first_line, body, body_first_line)``, or ``None``
    when the file does not start with a front-matter block.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            yaml_text = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return yaml_text, 2, body, index + 2
    return None


# Numbers read by our loader write back as plain numbers.
yaml.SafeDumper.add_representer(SourceInt, yaml.representer.SafeRepresenter.represent_int)
yaml.SafeDumper.add_representer(SourceFloat, yaml.representer.SafeRepresenter.represent_float)
