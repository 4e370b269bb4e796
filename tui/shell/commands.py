"""A context-aware command palette: every key that works on the current screen, searchable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits
from textual.command import Provider as CommandProvider


class ActiveBindingsCommands(CommandProvider):
    """Offers the current screen's and focused widget's bindings as commands."""

    def _commands(self):
        screen = self.screen
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.system or not binding.description or not active.enabled:
                continue
            label = f"{binding.description} ({self.app.get_key_display(binding)})"
            if label in seen:
                continue
            seen.add(label)
            yield label, binding.tooltip or binding.description, partial(
                self.app.run_action, binding.action, active.node
            )

    async def discover(self) -> Hits:
        for label, help_text, run in self._commands():
            yield DiscoveryHit(label, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, run in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), run, help=help_text)
