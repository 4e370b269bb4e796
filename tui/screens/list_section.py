"""What the list sections (Jobs, Files) share: one keyed table of the account's things, the
no-account message, loading on mount and on coming back, paging with `has_more` ("More"), and
refreshes that keep what was paged in and the row the cursor was on.

A section gives `fetch_page` (one page from the provider), `show_list_state` (its count and
"More" lines) and `show_list_error`; it composes one KeyedTable subclass and its state lines,
and binds `more`/`refresh` to `action_more`/`action_refresh`.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.widgets import DataTable
from textual.worker import Worker

from ftui.core.errors import CoreError
from ftui.core.types import Page
from ftui.tui.screens.base import SectionScreen
from ftui.tui.shell.no_account import no_account
from ftui.widgets.keyed_table import KeyedTable

ItemT = TypeVar("ItemT")


class ListSection(SectionScreen, Generic[ItemT]):
    PAGE_SIZE: ClassVar[int] = 20
    # Names the worker groups ("jobs-list", "jobs-more") and what a failure says was left undone.
    LIST_NAME: ClassVar[str] = "items"
    # Moving the cursor onto the last row loads the next page, as `m` does.
    MORE_AT_BOTTOM: ClassVar[bool] = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_more = False
        self.last_id: str | None = None  # the `after` cursor of the next page
        self._loading = False

    # what a section gives -----------------------------------------------------------------
    async def fetch_page(self, after: str | None, limit: int) -> Page[ItemT]:
        raise NotImplementedError

    def show_list_state(self) -> None:
        """Say how many rows there are and whether more can be loaded (after every change)."""

    def show_list_error(self, error: CoreError, *, more: bool) -> None:
        self.notify(error.summary(), severity="error")

    def show_no_account(self) -> None:
        self.notify(no_account(self.app), severity="warning")

    # the table ----------------------------------------------------------------------------
    @property
    def list_table(self) -> KeyedTable[ItemT]:
        return self.query_one(KeyedTable)

    @property
    def items(self) -> dict[str, ItemT]:
        """What is listed, by id, in the order shown."""
        return self.list_table.items

    @property
    def current_item(self) -> ItemT | None:
        return self.list_table.current

    # lifecycle ----------------------------------------------------------------------------
    # Textual calls every class's on_mount, the section's first: it sets up its own parts,
    # then this one starts the list.
    def on_mount(self) -> None:
        if self.provider is None:
            self.show_no_account()
            return
        self.load_list()

    def on_screen_resume(self) -> None:
        if self.provider is not None and self.is_mounted:
            self.load_list()

    # loading ------------------------------------------------------------------------------
    def load_list(self) -> Worker:
        """Reload from the first page; pages loaded with More stay where they still follow on."""
        return self.run_worker(self._load_first_page, group=f"{self.LIST_NAME}-list", exclusive=True,
                               exit_on_error=False, description=f"loading the {self.LIST_NAME} list")

    def load_more(self) -> Worker | None:
        if not self.has_more:
            return None
        return self.run_worker(self._load_next_page, group=f"{self.LIST_NAME}-more", exclusive=True,
                               exit_on_error=False, description=f"loading more {self.LIST_NAME}")

    async def _load_first_page(self) -> None:
        if self.provider is None:
            return
        self._loading = True
        try:
            page = await self.fetch_page(None, self.PAGE_SIZE)
        except CoreError as exc:
            self.show_list_error(exc, more=False)
            return
        finally:
            self._loading = False
        self.show_first_page(page)

    async def _load_next_page(self) -> None:
        if self.provider is None or not self.has_more:
            return
        try:
            page = await self.fetch_page(self.last_id, self.PAGE_SIZE)
        except CoreError as exc:
            self.show_list_error(exc, more=True)
            return
        self.list_table.add_items(page.items)
        self.has_more, self.last_id = page.has_more, page.last_id or self.last_id
        self._list_changed()

    def show_first_page(self, page: Page[ItemT]) -> None:
        """Draw a fresh first page. Rows paged in before stay only if this page reaches them
        (its last row is among them): then they still follow on without a gap, and the next page
        starts where they end. Otherwise the list starts again from this page, as a fresh start."""
        table = self.list_table
        shown = list(table.items)
        items = list(page.items)
        if page.has_more and page.last_id in table.items:
            items += [table.items[key] for key in shown[shown.index(page.last_id) + 1:]]
        else:
            self.has_more, self.last_id = page.has_more, page.last_id
        table.set_items(items)
        self._list_changed()

    def _list_changed(self) -> None:
        self.refresh_bindings()  # More, and the actions that need a row
        self.show_list_state()

    # keys ---------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "more":
            return self.has_more
        return True

    def action_more(self) -> None:
        self.load_more()

    def action_refresh(self) -> None:
        self.load_list()

    @on(DataTable.RowHighlighted)
    def _at_the_last_row(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if (self.MORE_AT_BOTTOM and self.has_more and isinstance(table, KeyedTable)
                and event.cursor_row >= table.row_count - 1):
            self.load_more()
