"""The desk's words for safe (issue 21): English in ``EN``, Spanish in ``ES``, the same keys.

``api.desk.labels`` merges them into the catalogs; a key here may also reword one of its own.
Confirmations name what will happen; refusals say why in plain words and what to do instead.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # Confirmations: the heading asks, the sentence says exactly what happens, the button repeats it.
    "confirm_back": "Back",
    "confirm_cancel": "Cancel",
    "ui_code": "en",  # the interface's own language, to name a translation's language in it
    "publish_asks": "Next you see exactly what will change for patients, can add a change note, and confirm.",
    "discard_asks": "You are asked to confirm first; a discarded draft can be brought back for 30 days.",
    "archive_asks": "You are asked to confirm first. Archived items leave lists, and their pages, "
    "handouts and emails stop being available to patients.",
    "restore_same_short": "Same text as the latest",
    "quoted": "“{title}” ({language})",
    "confirm_publish_title": "Publish version {version} of “{title}”?",
    "confirm_publish_what": "Publish version {version} of “{title}” ({language}) to patients. Its page, "
    "handout and email change for everyone at once.",
    "confirm_publish_button": "Publish version {version}",
    "confirm_override": "Why it may read harder",
    "confirm_override_help": "Only needed when the draft is harder to read than the clinic allows: "
    "say why that is right for this text.",
    "confirm_note": "Change note",
    "confirm_restore_note": "Restored version {version}",
    "confirm_restore_title": "Restore version {version} of “{title}”?",
    "confirm_restore_what": "Restore version {version} of “{title}” ({language}) as version {new}. "
    "Patients see the text of version {version} again; every version stays in the history.",
    "confirm_restore_button": "Restore version {version}",
    "confirm_archive_title": "Archive “{title}”?",
    "confirm_archive_what": "Archive “{title}” ({language}): its page, handout and email stop being "
    "available to patients. An administrator can bring it back later.",
    "confirm_archive_button": "Archive “{title}”",
    "confirm_discard_title": "Discard the draft of “{title}”?",
    "confirm_discard_what": "Discard the draft of “{title}” ({language}); you can undo this for 30 days.",
    "confirm_discard_what_new": "Discard the draft of “{title}” ({language}). It was never published, "
    "so the item goes with it; you can undo this for 30 days.",
    "confirm_discard_button": "Discard the draft",
    # Refusals, in plain words.
    "refuse_not_reviewed": "A reviewer has not signed off this draft yet. It can be published once a "
    "reviewer signs it off.",
    "refuse_review_old": "The draft changed after a reviewer signed it off. A reviewer must sign off "
    "the current draft before it can be published.",
    "refuse_changed": "Someone changed this draft since you opened it. Open the draft again and check "
    "the changes first.",
    "refuse_gone": "This draft is no longer there: it was published or discarded since you opened it.",
    "refuse_own_review": "You signed this draft off as its reviewer, so another publisher must publish it.",
    "refuse_restore_same": "Version {version} is the same as the current version; there is nothing "
    "to restore.",
    "refuse_restore_missing": "There is no version {version} of this item.",
    "refuse_archived": "This item is archived already.",
    "refuse_embedded": "This item is shown inside {names}; archive that first or remove it from there.",
    "refuse_no_draft": "This item has no draft now; there is nothing to discard.",
    # Discarded drafts and Undo.
    "discarded_nav": "Discarded drafts",
    "discarded_title": "Recently discarded drafts",
    "discarded_help": "Drafts discarded in the last 30 days. Undo makes one the draft again, with its "
    "text and its editors; a reviewer must sign it off again before it is published.",
    "discarded_none": "No draft was discarded in the last 30 days.",
    "discarded_by": "Discarded {date} by {name}",
    "discarded_never_published": "never published",
    "discarded_based_on": "based on version {version}",
    "undo": "Undo",
    "undo_name": "Undo the discard of “{title}” ({language})",
    "undo_until": "You can undo this until {date}.",
    "done_discarded": "The draft was discarded.",
    "done_undone": "The draft is back. A reviewer must sign it off again before it can be published.",
    "refuse_undo_draft": "“{title}” has a new draft now, so the discarded one cannot come back over "
    "it. Open the new draft, or discard it first and then undo this one.",
    "refuse_undo_old": "The draft of “{title}” was discarded more than 30 days ago; it can no longer "
    "be brought back.",
    "refuse_undo_done": "The draft of “{title}” was brought back already.",
    "refuse_undo_archived": "“{title}” is archived. An administrator must bring it back before its "
    "draft can come back.",
    "refuse_undo_gone": "That discarded draft is no longer kept; discarded drafts are kept for 30 days.",
}

ES: dict[str, str] = {
    "confirm_back": "Volver",
    "confirm_cancel": "Cancelar",
    "ui_code": "es",
    "publish_asks": "A continuación verá exactamente qué cambia para los pacientes, podrá añadir una "
    "nota del cambio y confirmar.",
    "discard_asks": "Se le pedirá que confirme; un borrador descartado se puede recuperar durante 30 días.",
    "archive_asks": "Se le pedirá que confirme. Los contenidos archivados salen de las listas, y sus "
    "páginas, folletos y correos dejan de estar disponibles para los pacientes.",
    "restore_same_short": "Mismo texto que la última versión",
    "quoted": "«{title}» ({language})",
    "confirm_publish_title": "¿Publicar la versión {version} de «{title}»?",
    "confirm_publish_what": "Publicar la versión {version} de «{title}» ({language}) para los pacientes. "
    "Su página, su folleto y su correo cambian para todos a la vez.",
    "confirm_publish_button": "Publicar la versión {version}",
    "confirm_override": "Por qué puede ser más difícil de leer",
    "confirm_override_help": "Solo hace falta si el borrador es más difícil de leer de lo que permite "
    "la clínica: explique por qué es adecuado para este texto.",
    "confirm_note": "Nota del cambio",
    "confirm_restore_note": "Versión {version} restaurada",
    "confirm_restore_title": "¿Restaurar la versión {version} de «{title}»?",
    "confirm_restore_what": "Restaurar la versión {version} de «{title}» ({language}) como versión {new}. "
    "Los pacientes vuelven a ver el texto de la versión {version}; todas las versiones quedan en el "
    "historial.",
    "confirm_restore_button": "Restaurar la versión {version}",
    "confirm_archive_title": "¿Archivar «{title}»?",
    "confirm_archive_what": "Archivar «{title}» ({language}): su página, su folleto y su correo dejan "
    "de estar disponibles para los pacientes. Un administrador puede recuperarlo más adelante.",
    "confirm_archive_button": "Archivar «{title}»",
    "confirm_discard_title": "¿Descartar el borrador de «{title}»?",
    "confirm_discard_what": "Descartar el borrador de «{title}» ({language}); puede deshacerlo durante "
    "30 días.",
    "confirm_discard_what_new": "Descartar el borrador de «{title}» ({language}). Nunca se publicó, así "
    "que el contenido también se va; puede deshacerlo durante 30 días.",
    "confirm_discard_button": "Descartar el borrador",
    "refuse_not_reviewed": "Ningún revisor ha aprobado este borrador todavía. Podrá publicarse cuando un "
    "revisor lo apruebe.",
    "refuse_review_old": "El borrador cambió después de que un revisor lo aprobara. Un revisor debe "
    "aprobar el borrador actual antes de publicarlo.",
    "refuse_changed": "Alguien cambió este borrador desde que usted lo abrió. Abra el borrador de nuevo "
    "y revise los cambios primero.",
    "refuse_gone": "Este borrador ya no existe: se publicó o se descartó desde que usted lo abrió.",
    "refuse_own_review": "Usted aprobó este borrador como revisor, así que otra persona con permiso de "
    "publicar debe publicarlo.",
    "refuse_restore_same": "La versión {version} es igual a la versión actual; no hay nada que restaurar.",
    "refuse_restore_missing": "Este contenido no tiene una versión {version}.",
    "refuse_archived": "Este contenido ya está archivado.",
    "refuse_embedded": "Este contenido se muestra dentro de {names}; archive eso primero o quítelo de ahí.",
    "refuse_no_draft": "Este contenido no tiene borrador ahora; no hay nada que descartar.",
    "discarded_nav": "Borradores descartados",
    "discarded_title": "Borradores descartados recientemente",
    "discarded_help": "Borradores descartados en los últimos 30 días. «Deshacer» lo convierte de nuevo "
    "en el borrador, con su texto y sus editores; un revisor debe aprobarlo otra vez antes de publicarlo.",
    "discarded_none": "No se descartó ningún borrador en los últimos 30 días.",
    "discarded_by": "Descartado el {date} por {name}",
    "discarded_never_published": "nunca publicado",
    "discarded_based_on": "basado en la versión {version}",
    "undo": "Deshacer",
    "undo_name": "Deshacer el descarte de «{title}» ({language})",
    "undo_until": "Puede deshacerlo hasta el {date}.",
    "done_discarded": "Se descartó el borrador.",
    "done_undone": "El borrador ha vuelto. Un revisor debe aprobarlo otra vez antes de publicarlo.",
    "refuse_undo_draft": "«{title}» tiene ahora un borrador nuevo, así que el descartado no puede volver "
    "encima. Abra el borrador nuevo, o descártelo primero y luego deshaga este.",
    "refuse_undo_old": "El borrador de «{title}» se descartó hace más de 30 días; ya no se puede recuperar.",
    "refuse_undo_done": "El borrador de «{title}» ya se recuperó.",
    "refuse_undo_archived": "«{title}» está archivado. Un administrador debe recuperarlo antes de que su "
    "borrador pueda volver.",
    "refuse_undo_gone": "Ese borrador descartado ya no se guarda; los borradores descartados se guardan "
    "30 días.",
}
