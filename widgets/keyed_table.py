"""Tables of account things (jobs, files, models): one row per item, keyed by the item's id, with
vim keys beside the arrows. A refresh keeps the cursor on the row it was on.

At a narrow width a table chooses its columns rather than squeezing all: each `Column` has a
priority and the width below which it no longer reads; the lowest-priority columns that do not
fit are left out (re-planned on resize), and a `RowDetail` line shows the highlighted row whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable, Static

ItemT = TypeVar("ItemT")

SCROLLBAR = 2  # room kept for the vertical scrollbar, so that rows coming and going never scroll sideways


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


@dataclass(frozen=True)
class Column:
    """A column: `priority` decides which stay when not all fit (higher stays longer); below
    `min_width` cells no longer read, so the column is left out rather than squeezed further
    (None: never squeezed: its widest cell or nothing, as for a bare label in COLUMNS).
    `keep_end` cuts a long cell at its start (`…:ckpt-step-10`), where names differ at the end."""

    label: str
    min_width: int | None = None
    priority: int = 0
    keep_end: bool = False


def as_column(column: str | Column) -> Column:
    return column if isinstance(column, Column) else Column(column)


def plan_columns(columns: Sequence[Column], natural: Sequence[int], width: int,
                 padding: int = 1) -> dict[int, int]:
    """Which columns show at `width` cells, and how wide: {index: width}, in column order.

    `natural` is each column's widest cell (its label included). A column is never planned
    narrower than min(natural, min_width); the lowest-priority columns are left out until the
    rest fit, and the room left goes to the columns in priority order, up to their natural width;
    columns of the same priority share it evenly (two answers side by side stay alike).
    A width of 0 or less (not laid out yet) shows every column at its natural width."""
    if width <= 0:
        return dict(enumerate(natural))
    most = max(1, width - 2 * padding)  # one column alone never runs past the edge
    floor = [min(n, most, most if c.min_width is None else c.min_width) for c, n in zip(columns, natural)]
    shown = list(range(len(columns)))
    by_priority = sorted(shown, key=lambda i: (columns[i].priority, -i))  # ties: the rightmost goes first

    def need(indexes: Iterable[int]) -> int:
        return sum(floor[i] + 2 * padding for i in indexes)

    for i in by_priority:
        if need(shown) <= width or len(shown) == 1:
            break
        shown.remove(i)
    widths = {i: floor[i] for i in shown}
    room = width - need(shown)
    for priority in sorted({columns[i].priority for i in shown}, reverse=True):
        group = [i for i in shown if columns[i].priority == priority]
        while room > 0:
            growing = [i for i in group if widths[i] < min(natural[i], most)]
            if not growing:
                break
            share = max(1, room // len(growing))
            for i in growing:
                grow = min(share, room, min(natural[i], most) - widths[i])
                widths[i] += grow
                room -= grow
    return dict(sorted(widths.items()))


def cut_cell(cell: Any, width: int, keep_end: bool) -> Any:
    """A cell that fits `width` cells: cut with … at its end (or its start, for `keep_end`)."""
    text = cell if isinstance(cell, Text) else Text(str(cell))
    if text.cell_len <= width or width <= 0:
        return cell
    if keep_end:
        cut = text[len(text) - (width - 1):]
        return Text("…") + cut
    cut = text[:width - 1]
    return cut + Text("…")


class RowDetail(Static):
    """One line under a table with its highlighted row whole (what the table cuts or leaves out)."""

    DEFAULT_CSS = "RowDetail { height: auto; max-height: 2; padding: 0 1; background: $boost; }"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.display = False  # until a row is highlighted

    def show_item(self, text: str | None) -> None:
        self.display = bool(text)
        self.update(Text(text or ""))


class KeyedTable(KeyTable, Generic[ItemT]):
    """Items in the order handed in, each row keyed by `key_of(item)` (its `id`), drawn by `row_of`.

    Give the columns (labels or `Column`s) and the row drawer as class attributes (a subclass) or
    as arguments. `detail_id` names a `RowDetail` on the same screen: it follows the cursor with
    `detail(item)` (or `detail_of`). `columns_shown` are the labels of the columns this width shows."""

    COLUMNS: ClassVar[tuple[str | Column, ...]] = ()

    def __init__(self, columns: Iterable[str | Column] | None = None,
                 row_of: Callable[[ItemT], tuple[Any, ...]] | None = None, *,
                 detail_id: str | None = None, detail_of: Callable[[ItemT], str] | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.all_columns: tuple[Column, ...] = tuple(
            as_column(c) for c in (columns if columns is not None else self.COLUMNS))
        self._row_of = row_of
        self.detail_id, self._detail_of = detail_id, detail_of
        self.items: dict[str, ItemT] = {}
        self._cells: dict[str, tuple[Any, ...]] = {}  # every column's cell of each item, shown or not
        self._plan: dict[int, int] | None = None  # {column index: width}; None until mounted
        self._natural: list[int] | None = None  # each column's widest cell, kept as rows come
        self._ready = False

    @property
    def columns_shown(self) -> tuple[str, ...]:
        return tuple(self.all_columns[i].label for i in (self._plan or {}))

    def on_mount(self) -> None:
        self._ready = True  # (is_mounted turns true only after the mount handlers)
        self._replan()

    def on_resize(self, event: events.Resize) -> None:
        self._replan()

    # drawing ------------------------------------------------------------------------------
    def row_of(self, item: ItemT) -> tuple[Any, ...]:
        if self._row_of is None:
            raise NotImplementedError(f"{type(self).__name__} needs row_of")
        return self._row_of(item)

    def detail(self, item: ItemT) -> str:
        """The item whole, for the detail line: every column's cell, the left-out ones too."""
        if self._detail_of is not None:
            return self._detail_of(item)
        cells = self._cells.get(self.key_of(item)) or self.row_of(item)
        return " · ".join(str(c.plain if isinstance(c, Text) else c) for c in cells)

    @staticmethod
    def key_of(item: Any) -> str:
        return item.id

    def _natural_widths(self) -> list[int]:
        if self._natural is None:
            self._natural = [cell_len(c.label) for c in self.all_columns]
            for cells in self._cells.values():
                self._widen(cells)
        return self._natural

    def _widen(self, cells: tuple[Any, ...]) -> None:
        """Grow the natural widths by one row's cells (a row updated many times costs one row)."""
        if self._natural is None:
            return
        for i, cell in enumerate(cells):
            size = cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))
            self._natural[i] = max(self._natural[i], size)

    def _replan(self) -> None:
        """Choose the columns for this width; rebuild the table only when the choice changed."""
        if not self._ready:
            return
        width = self.size.width - SCROLLBAR if self.size.width else 0
        plan = plan_columns(self.all_columns, self._natural_widths(), width, self.cell_padding)
        if plan == self._plan:
            return
        current, row = self.current_key, self.cursor_row
        self._plan = plan
        self.clear(columns=True)
        for i, size in plan.items():
            column = self.all_columns[i]
            self.add_column(column.label, key=column.label, width=size)
        for key in self.items:
            self.add_row(*self._shown_cells(key), key=key)
        self._restore_cursor(current, row)

    def _shown_cells(self, key: str) -> list[Any]:
        cells = self._cells[key]
        return [cut_cell(cells[i], size, self.all_columns[i].keep_end) for i, size in (self._plan or {}).items()]

    def _restore_cursor(self, current: str | None, row: int) -> None:
        if not self.row_count:
            return
        if current in self.items:
            row = self.get_row_index(current)
        self.move_cursor(row=min(row, self.row_count - 1))

    # items --------------------------------------------------------------------------------
    def set_items(self, items: Iterable[ItemT]) -> None:
        """Replace every row; the cursor stays on the item it was on (or at the same height
        when that item is gone)."""
        current, row = self.current_key, self.cursor_row
        self.clear()
        self.items, self._cells, self._natural = {}, {}, None
        self.add_items(items)
        self._restore_cursor(current, row)
        self.show_detail()

    def add_items(self, items: Iterable[ItemT]) -> None:
        """Append rows (a further page); items already shown are skipped."""
        plan = self._plan
        for item in items:
            key = self.key_of(item)
            if key in self.items:
                continue
            self.items[key] = item
            self._cells[key] = tuple(self.row_of(item))
            self._widen(self._cells[key])
            if self._plan is not None:
                self.add_row(*self._shown_cells(key), key=key)
        if plan is not None:
            self._replan()  # wider cells may now fit, or need cutting
        self.show_detail()

    def update_item(self, item: ItemT) -> None:
        """Redraw one item's row in place (an answer arrived); a wider cell may re-plan the columns."""
        key = self.key_of(item)
        if key not in self.items:
            return
        self.items[key] = item
        self._cells[key] = tuple(self.row_of(item))
        self._widen(self._cells[key])
        plan = self._plan
        if plan is None:
            return
        self._replan()
        if self._plan is plan:  # not rebuilt: only this row's cells change
            for (i, _), cell in zip(plan.items(), self._shown_cells(key)):
                self.update_cell(key, self.all_columns[i].label, cell)
        if key == self.current_key:
            self.show_detail()

    def set_columns(self, columns: Iterable[str | Column]) -> None:
        """Other columns (new labels, e.g. a blind batch's A and B); the rows are drawn again."""
        self.all_columns = tuple(as_column(c) for c in columns)
        self._cells = {key: tuple(self.row_of(item)) for key, item in self.items.items()}
        self._natural, self._plan = None, None
        self._replan()
        self.show_detail()

    def remove_item(self, key: str) -> None:
        if self.items.pop(key, None) is not None:
            self._cells.pop(key, None)
            self._natural = None  # the widest cell may have gone with it
            self.remove_row(key)
            self.show_detail()

    # the detail line ----------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()  # the message goes on to the screen as before

    def show_detail(self) -> None:
        if self.detail_id is None or not self._ready:
            return
        boxes = self.screen.query(f"#{self.detail_id}")
        if boxes:
            item = self.current
            boxes.first(RowDetail).show_item(self.detail(item) if item is not None else None)

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    @property
    def current(self) -> ItemT | None:
        key = self.current_key
        return self.items.get(key) if key is not None else None
