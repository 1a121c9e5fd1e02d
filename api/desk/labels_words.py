"""The desk's words for people (issue 21): English in ``EN``, Spanish in ``ES``, the same keys.

The interface language control, plain error pages, the content layer's messages in plain words
(api.desk.messages), where a diff row's change is, and per-kind headings.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "ui_language": "Language of the desk",
    "role_reader": "reader",
    "role_editor": "editor",
    "role_reviewer": "reviewer",
    "role_publisher": "publisher",
    "role_admin": "admin",
    "new_title_article": "New article",
    "new_title_faq": "New FAQ set",
    "new_title_comparison": "New comparison",
    "diff_title_draft": "Changes from version {a} to this draft",
    "diff_block": "Body, part {name}",
    "diff_question": "question “{name}”",
    "diff_row": "row “{name}”",
    "diff_entry": "entry “{name}”",
    "field_locale": "Language",
    "field_title": "Title",
    "field_summary": "Summary",
    "field_tags": "Tags",
    "field_related": "Related items",
    "field_codes": "Clinical codes",
    "field_review": "Clinical review",
    "field_embeds": "Embedded items",
    "field_subjects": "Subjects",
    "field_footnote": "Footnote",
    "error_400": "Something in the form needs fixing",
    "error_403": "You don't have permission for this",
    "error_404": "We couldn't find that page",
    "error_409": "This can't be done as things are now",
    "error_410": "This item is archived",
    "error_412": "Someone changed this meanwhile",
    "error_500": "The desk could not finish this",
    "error_other": "This could not be done",
    "error_code": "Error code {status}",
    "sign_in_to_continue": "Sign in to continue.",
    "form_expired": "The form expired or came from elsewhere; reload the page and try again.",
    "msg_server": "Something failed on our side and was logged. Try again in a moment.",
    "msg_too_hard": "This draft reads at grade {grade}; the clinic's limit is {limit}. Simplify it, or "
    "write in Override note why it may read harder.",
    "msg_too_hard_es": "This draft scores {score} on the Fernández-Huerta scale; the clinic's minimum is "
    "{minimum} (like grade {limit}). Simplify it, or write in Override note why it may read harder.",
    "msg_stale": "Someone changed this draft since you opened it. Open it again to see their changes.",
    "msg_draft_gone": "This draft is gone: someone published or discarded it since you opened it.",
    "msg_not_reviewed": "A reviewer must sign off this draft before it can be published.",
    "msg_changed_after_review": "The draft changed after its sign-off; a reviewer must sign it off again.",
    "msg_own_review": "You signed this draft off as its reviewer, so another publisher must publish it.",
    "msg_not_reviewer": "Only a reviewer's own account can sign off; {actor} is not one.",
    "msg_restore_same": "The latest version already has version {version}'s content; restoring it would "
    "change nothing.",
    "msg_slug_taken": "An item with the slug “{slug}” exists already; choose another slug.",
    "msg_has_draft": "“{slug}” has a draft already; open and edit that one.",
    "msg_no_draft": "“{slug}” has no draft.",
    "msg_no_item": "There is no item “{slug}” here.",
    "msg_archived": "“{slug}” is archived.",
    "msg_not_archived": "“{slug}” is not archived.",
    "msg_embedded": "“{slug}” is shown inside {names}; remove it from those first.",
    "msg_withdrawn": "“{slug}” is withdrawn: its review date passed and no reviewer has signed a new "
    "version yet.",
    "msg_embeds_first": "Publish the items it shows inside it first: {names}.",
    "msg_schedule_stale": "The draft changed after it was scheduled; schedule the current draft again.",
    "msg_in_release": "“{slug}” is in this release already.",
    "msg_release_empty": "This release has no drafts to publish; add some first.",
    "msg_release_published": "This release was published already; a published release never changes.",
    "msg_release_blocked": "The release cannot be published: {names}. Nothing was published.",
    "msg_not_found": "The address may be mistyped, or the page was moved or removed.",
    "msg_not_allowed": "This page cannot be used that way; go back and use its buttons.",
    "msg_choose_kind": "Choose a kind.",
    "msg_packet_empty": "Add at least one item to the packet.",
    "msg_digest_empty": "Pick at least one item.",
    "msg_release_name": "Give the release a name.",
    "msg_choose_release": "Choose a release.",
}

ES: dict[str, str] = {}
