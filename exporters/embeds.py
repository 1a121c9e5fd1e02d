"""What an article embeds, resolved by the caller: exporters never query the store."""

from __future__ import annotations

from dataclasses import dataclass, field

from content import model


@dataclass(frozen=True)
class Embeds:
    comparisons: dict[str, model.PublishedComparison] = field(default_factory=dict)
    faqs: dict[str, model.PublishedFaqSet] = field(default_factory=dict)

    def faq_entries(self, block: model.FaqEmbed) -> list[model.FaqItem]:
        """The entries a FAQ block shows: the whole set, or the ids it lists, in its order."""
        faq = self.faqs.get(block.slug)
        if faq is None:
            return []
        if not block.items:
            return list(faq.items)
        by_id = {entry.id: entry for entry in faq.items}
        return [by_id[i] for i in block.items if i in by_id]
