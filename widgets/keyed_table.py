"""Tables of account things (jobs, files, models): one row per item, keyed by the item's id, with
vim keys beside the arrows. A refresh keeps the cursor on the row it was on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Generic, TypeVar

from textual.binding import Binding
from textual.widgets import DataTable

ItemT = TypeVar("ItemT")


class KeyTable(DataTable):
    """A row-cursor table with vim keys beside the arrows."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down", tooltip="Next row"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up", tooltip="Previous row"),
        Binding("home,g", "scroll_top", "Top", show=False, id="table.top", tooltip="First row"),
        Binding("end,G", "scroll_bottom", "Bottom", show=False, id="table.bottom", tooltip="Last row"),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)


class KeyedTable(KeyTable, Generic[ItemT]):
    """Items in the order handed in, each row keyed by `key_of(item)` (its `id`), drawn by `row_of`.

    Give the columns and the row drawer as class attributes (a subclass) or as arguments."""

    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, columns: Iterable[str] | None = None,
                 row_of: Callable[[ItemT], tuple[Any, ...]] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.columns_shown = tuple(columns) if columns is not None else self.COLUMNS
        self._row_of = row_of
        self.items: dict[str, ItemT] = {}

    def on_mount(self) -> None:
        for name in self.columns_shown:
            self.add_column(name, key=name)

    def row_of(self, item: ItemT) -> tuple[Any, ...]:
        if self._row_of is None:
            raise NotImplementedError(f"{type(self).__name__} needs row_of")
        return self._row_of(item)

    @staticmethod
    def key_of(item: Any) -> str:
        return item.id

    def set_items(self, items: Iterable[ItemT]) -> None:
        """Replace every row; the cursor stays on the item it was on (or at the same height
        when that item is gone)."""
        current, row = self.current_key, self.cursor_row
        self.clear()
        self.items = {}
        self.add_items(items)
        if not self.row_count:
            return
        if current in self.items:
            row = self.get_row_index(current)
        self.move_cursor(row=min(row, self.row_count - 1))

    def add_items(self, items: Iterable[ItemT]) -> None:
        """Append rows (a further page); items already shown are skipped."""
        for item in items:
            key = self.key_of(item)
            if key in self.items:
                continue
            self.items[key] = item
            self.add_row(*self.row_of(item), key=key)

    def remove_item(self, key: str) -> None:
        if self.items.pop(key, None) is not None:
            self.remove_row(key)

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    @property
    def current(self) -> ItemT | None:
        key = self.current_key
        return self.items.get(key) if key is not None else None
