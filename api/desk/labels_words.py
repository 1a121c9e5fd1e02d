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
    "write in “Why it may read harder” why that is right for this text.",
    "msg_too_hard_es": "This draft scores {score} on the Fernández-Huerta scale; the clinic's minimum is "
    "{minimum} (like grade {limit}). Simplify it, or write in “Why it may read harder” why that is "
    "right for this text.",
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
    "msg_four_eyes": "Four eyes: you edited this draft, so you may not sign it off. A reviewer who did not "
    "edit it may (edited by: {names}).",
    "msg_next_review": "Give the next review date as a day in the future.",
    "loopback_warning": "FOLIO_PUBLIC_URL is not set to a public address: QR codes and links in handouts "
    "and emails point to {url}, which only this computer can open. Set FOLIO_PUBLIC_URL to the address "
    "patients reach Folio at.",
}

ES: dict[str, str] = {
    "ui_language": "Idioma del escritorio",
    "role_reader": "lector",
    "role_editor": "editor",
    "role_reviewer": "revisor",
    "role_publisher": "publicador",
    "role_admin": "administrador",
    "new_title_article": "Nuevo artículo",
    "new_title_faq": "Nuevas preguntas frecuentes",
    "new_title_comparison": "Nueva comparación",
    "diff_title_draft": "Cambios de la versión {a} a este borrador",
    "diff_block": "Texto, parte {name}",
    "diff_question": "pregunta «{name}»",
    "diff_row": "fila «{name}»",
    "diff_entry": "elemento «{name}»",
    "field_locale": "Idioma",
    "field_title": "Título",
    "field_summary": "Resumen",
    "field_tags": "Etiquetas",
    "field_related": "Contenidos relacionados",
    "field_codes": "Códigos clínicos",
    "field_review": "Revisión clínica",
    "field_embeds": "Contenidos incluidos",
    "field_subjects": "Opciones comparadas",
    "field_footnote": "Nota al pie",
    "error_400": "Hay algo que corregir en el formulario",
    "error_403": "No tiene permiso para hacer esto",
    "error_404": "No encontramos esa página",
    "error_409": "Esto no se puede hacer tal como están las cosas ahora",
    "error_410": "Este contenido está archivado",
    "error_412": "Alguien cambió esto mientras tanto",
    "error_500": "El escritorio no pudo terminar esto",
    "error_other": "No se pudo hacer esto",
    "error_code": "Código de error {status}",
    "sign_in_to_continue": "Inicie sesión para continuar.",
    "form_expired": "El formulario caducó o vino de otro sitio; vuelva a cargar la página e inténtelo de "
    "nuevo.",
    "msg_server": "Algo falló de nuestro lado y quedó registrado. Inténtelo de nuevo en un momento.",
    "msg_too_hard": "Este borrador tiene un nivel de lectura de grado {grade}; el límite de la clínica "
    "es {limit}. Simplifíquelo, o explique en «Por qué puede ser más difícil de leer» por qué es "
    "adecuado para este texto.",
    "msg_too_hard_es": "Este borrador obtiene {score} en la escala Fernández-Huerta; el mínimo de la "
    "clínica es {minimum} (como el grado {limit}). Simplifíquelo, o explique en «Por "
    "qué puede ser más difícil de leer» por qué es adecuado para este texto.",
    "msg_stale": "Alguien cambió este borrador desde que usted lo abrió. Ábralo de nuevo para ver sus "
    "cambios.",
    "msg_draft_gone": "Este borrador ya no existe: alguien lo publicó o lo descartó desde que usted lo "
    "abrió.",
    "msg_not_reviewed": "Un revisor debe aprobar este borrador antes de publicarlo.",
    "msg_changed_after_review": "El borrador cambió después de su aprobación; un revisor debe aprobarlo "
    "de nuevo.",
    "msg_own_review": "Usted aprobó este borrador como revisor, así que debe publicarlo otra persona.",
    "msg_not_reviewer": "Solo la cuenta personal de un revisor puede aprobar; {actor} no lo es.",
    "msg_restore_same": "La versión más reciente ya tiene el contenido de la versión {version}; "
    "restaurarla no cambiaría nada.",
    "msg_slug_taken": "Ya existe un contenido con el identificador «{slug}»; elija otro.",
    "msg_has_draft": "«{slug}» ya tiene un borrador; ábralo y edítelo.",
    "msg_no_draft": "«{slug}» no tiene borrador.",
    "msg_no_item": "Aquí no hay ningún contenido «{slug}».",
    "msg_archived": "«{slug}» está archivado.",
    "msg_not_archived": "«{slug}» no está archivado.",
    "msg_embedded": "«{slug}» aparece dentro de {names}; quítelo de ahí primero.",
    "msg_withdrawn": "«{slug}» está retirado: pasó su fecha de revisión y ningún revisor ha aprobado aún "
    "una versión nueva.",
    "msg_embeds_first": "Publique primero los contenidos que aparecen dentro: {names}.",
    "msg_schedule_stale": "El borrador cambió después de programarlo; programe de nuevo el borrador actual.",
    "msg_in_release": "«{slug}» ya está en este lanzamiento.",
    "msg_release_empty": "Este lanzamiento no tiene borradores que publicar; añada alguno primero.",
    "msg_release_published": "Este lanzamiento ya se publicó; un lanzamiento publicado no cambia.",
    "msg_release_blocked": "No se puede publicar el lanzamiento: {names}. No se publicó nada.",
    "msg_not_found": "Puede que la dirección esté mal escrita, o que la página se haya movido o eliminado.",
    "msg_not_allowed": "Esta página no se puede usar así; vuelva atrás y use sus botones.",
    "msg_choose_kind": "Elija un tipo de contenido.",
    "msg_packet_empty": "Añada al menos un contenido al paquete.",
    "msg_digest_empty": "Elija al menos un contenido.",
    "msg_release_name": "Ponga un nombre al lanzamiento.",
    "msg_choose_release": "Elija un lanzamiento.",
    "msg_four_eyes": "Cuatro ojos: usted editó este borrador, así que no puede aprobarlo. Puede aprobarlo un "
    "revisor que no lo haya editado (editado por: {names}).",
    "msg_next_review": "Indique la fecha de la próxima revisión: un día futuro.",
    "loopback_warning": "FOLIO_PUBLIC_URL no tiene una dirección pública: los códigos QR y los enlaces de "
    "las hojas y los correos apuntan a {url}, que solo se puede abrir en este ordenador. Ponga en "
    "FOLIO_PUBLIC_URL la dirección por la que los pacientes llegan a Folio.",
}
