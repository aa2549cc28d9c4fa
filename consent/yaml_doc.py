"""Read a YAML document keeping each value's line, so a broken policy or mapping is named by line and field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from core.errors import InvalidInput


class DocumentError(InvalidInput):
    """A YAML document breaks a rule; `field` is the dotted path, `line` the 1-based line."""

    code = "invalid_document"


class Doc:
    """One node of a composed YAML document, with its path from the root."""

    def __init__(self, node: yaml.Node, path: str, loader: yaml.SafeLoader, what: str):
        self.node = node
        self.path = path
        self._loader = loader
        self.what = what

    @property
    def line(self) -> int:
        """1-based line where this value starts."""
        return self.node.start_mark.line + 1

    def fail(self, message: str, *, path: str | None = None, line: int | None = None) -> DocumentError:
        """An error naming this node's line and field (or the ones given)."""
        where = path if path is not None else self.path
        line = line if line is not None else self.line
        return DocumentError(
            f"{self.what} line {line}, {where or '(document)'}: {message}", field=where or None, line=line
        )

    # -- shapes -------------------------------------------------------------------------------------

    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def items(self) -> Iterator[tuple[str, Doc]]:
        """Key/value pairs of a mapping (keys as strings), rejecting duplicate keys."""
        if not self.is_mapping():
            raise self.fail("expected a mapping (key: value)")
        self._loader.flatten_mapping(self.node)
        seen: set[str] = set()
        for key_node, value_node in self.node.value:
            # Keys as written: YAML 1.1 would read `on:` or `no:` as booleans.
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                key = str(self._loader.construct_object(key_node, deep=True))
            if key in seen:
                raise self.fail(
                    f"duplicate key {key!r}", path=self._child(key), line=key_node.start_mark.line + 1
                )
            seen.add(key)
            yield key, Doc(value_node, self._child(key), self._loader, self.what)

    def mapping(self, allowed: set[str] | None = None, required: tuple[str, ...] = ()) -> dict[str, Doc]:
        """The mapping's children by key; unknown or missing keys are errors naming the line."""
        children = dict(self.items())
        if allowed is not None:
            for key, child in children.items():
                if key not in allowed:
                    raise child.fail(f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}")
        for key in required:
            if key not in children:
                raise self.fail(f"missing required key {key!r}", path=self._child(key))
        return children

    def seq(self) -> list[Doc]:
        """Items of a sequence (a single scalar is taken as a one-item list)."""
        if isinstance(self.node, yaml.ScalarNode):
            return [self]
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.fail("expected a list")
        return [Doc(n, f"{self.path}[{i}]", self._loader, self.what) for i, n in enumerate(self.node.value)]

    def value(self) -> Any:
        """The plain Python value of this node."""
        return self._loader.construct_object(self.node, deep=True)

    # -- typed scalars ------------------------------------------------------------------------------

    def text(self) -> str:
        """A non-empty string scalar, as written (so `NO` stays Norway and never becomes false)."""
        if not isinstance(self.node, yaml.ScalarNode) or not str(self.node.value).strip():
            raise self.fail("expected a non-empty text value")
        return str(self.node.value).strip()

    def choice(self, options: tuple[str, ...] | set[str] | frozenset[str]) -> str:
        """A string that is one of `options`."""
        value = self.text()
        if value not in options:
            raise self.fail(f"{value!r} is not one of {', '.join(sorted(options))}")
        return value

    def flag(self) -> bool:
        """A boolean."""
        value = self.value()
        if not isinstance(value, bool):
            raise self.fail("expected true or false")
        return value

    def texts(self) -> list[str]:
        """A list of non-empty strings."""
        return [item.text() for item in self.seq()]

    def _child(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


def parse_document(text: str, what: str) -> Doc:
    """Compose YAML text into a root Doc; a syntax error names its line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DocumentError(
            f"{what} line {line}: YAML syntax error: {exc.problem or exc}", field=None, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{what}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise DocumentError(f"{what} is empty; expected a YAML mapping", line=1)
    return Doc(node, "", loader, what)
