"""The desk's words for packets (issue 21): English in ``EN``, Spanish in ``ES``, the same keys.

``api.desk.labels`` merges them into the catalogs; a key here may also reword one of its own.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # Packet
    "packet_title": "Build a packet",
    "packet_help": "Pick items, put them in order, download one PDF with a contents page. "
    "The packet and its choices stay in this browser until you clear it.",
    "packet_up": "Move up",
    "packet_down": "Move down",
    "packet_remove": "Remove",
    "packet_add_short": "Add",
    "packet_clear": "Clear the packet",
    "packet_keep": "Keep these choices",
    "download_packet": "Download the packet",
    "packet_count": "{count} in the packet",
    "in_packet": "In the packet",
    "done_packet_added": "Added to the packet.",
    "done_packet_moved": "Moved.",
    "done_packet_removed": "Removed from the packet.",
    "done_packet_cleared": "The packet is empty now.",
    "done_packet_choices_kept": "Paper and print size kept.",
    "done_packet_nothing": "Nothing was selected. Tick the items first.",
    # Library: search, language, selection
    "language": "Language",
    "select_item": "Select",
    "selection": "Selected items",
    "add_selected": "Add selected to packet",
    "archive_selected": "Archive selected…",
    "results_ranked": "{count} items, best match first",
    # Bulk archive
    "bulk_archive_title": "Archive these items?",
    "bulk_archive_what": "Archiving takes each item off the patient site, the API and the library; its "
    "address then says it is gone. Its versions and history are kept, and an admin can bring it back.",
    "bulk_archive_each": "Each item is archived on its own: if one cannot be, the others still are, "
    "and the next page says which and why.",
    "bulk_archive_confirm": "Archive the selected items ({count})",
    "bulk_cancel": "Back to the library without archiving",
    "bulk_nothing": "Nothing was selected. Go back to the library and tick the items to archive.",
    "bulk_results_title": "Archiving done",
    "bulk_archived": "Archived",
    "bulk_not_archived": "Not archived",
    "bulk_refused_embedded": "Not archived while “{names}” includes it; take it out of that item first.",
    "bulk_refused_gone": "It was already archived or no longer exists.",
    "bulk_refused_other": "The desk could not archive it.",
    "back_to_library": "Back to the library",
    # Digest
    "digest_title": "Build a digest",
    "build_digest": "Preview the digest",
    "digest_order": "Order in the digest",
    "digest_order_help": "Tick items above; they appear here in the order the email shows them.",
    "digest_order_empty": "No items picked yet.",
    "digest_problems": "To preview the digest, fill in:",
    "digest_need_subject": "Give the digest a subject.",
    "digest_need_intro": "Write a short introduction.",
    "digest_need_items": "Pick at least one item.",
    # Where marketing copies an email
    "unsubscribe_placeholder": "Before you send this: the unsubscribe address is a placeholder that "
    "reaches nobody ({url} and {mailto}). Ask whoever runs Folio to set FOLIO_UNSUBSCRIBE_URL and "
    "FOLIO_UNSUBSCRIBE_MAILTO to your mailing list's own.",
    "unsubscribe_placeholder_esp": "The copied HTML uses your email service's own unsubscribe link; "
    "the placeholder is in the List-Unsubscribe header of the .eml download.",
}

ES: dict[str, str] = {
    "packet_title": "Preparar un paquete",
    "packet_help": "Elija materiales, póngalos en orden y descargue un solo PDF con índice. "
    "El paquete y sus opciones se guardan en este navegador hasta que lo vacíe.",
    "packet_up": "Subir",
    "packet_down": "Bajar",
    "packet_remove": "Quitar",
    "packet_add_short": "Añadir",
    "packet_clear": "Vaciar el paquete",
    "packet_keep": "Guardar estas opciones",
    "download_packet": "Descargar el paquete",
    "packet_count": "{count} en el paquete",
    "in_packet": "En el paquete",
    "done_packet_added": "Añadido al paquete.",
    "done_packet_moved": "Movido.",
    "done_packet_removed": "Quitado del paquete.",
    "done_packet_cleared": "El paquete está vacío.",
    "done_packet_choices_kept": "Se guardaron el papel y el tamaño de letra.",
    "done_packet_nothing": "No seleccionó nada. Marque primero los materiales.",
    "language": "Idioma",
    "select_item": "Seleccionar",
    "selection": "Materiales seleccionados",
    "add_selected": "Añadir los seleccionados al paquete",
    "archive_selected": "Archivar los seleccionados…",
    "results_ranked": "{count} materiales, los más parecidos primero",
    "bulk_archive_title": "¿Archivar estos materiales?",
    "bulk_archive_what": "Al archivar, cada material deja de estar en el sitio para pacientes, en la API "
    "y en la biblioteca; su dirección indicará que ya no existe. Se conservan sus versiones y su "
    "historial, y un administrador puede recuperarlo.",
    "bulk_archive_each": "Cada material se archiva por separado: si uno no se puede archivar, los demás "
    "sí, y la página siguiente le dirá cuál y por qué.",
    "bulk_archive_confirm": "Archivar los materiales seleccionados ({count})",
    "bulk_cancel": "Volver a la biblioteca sin archivar",
    "bulk_nothing": "No seleccionó nada. Vuelva a la biblioteca y marque los materiales que quiere archivar.",
    "bulk_results_title": "Archivo terminado",
    "bulk_archived": "Archivados",
    "bulk_not_archived": "No archivados",
    "bulk_refused_embedded": "No se archiva mientras «{names}» lo incluya; quítelo primero de ese material.",
    "bulk_refused_gone": "Ya estaba archivado o ya no existe.",
    "bulk_refused_other": "El escritorio no pudo archivarlo.",
    "back_to_library": "Volver a la biblioteca",
    "digest_title": "Preparar un boletín",
    "build_digest": "Ver el boletín",
    "digest_order": "Orden en el boletín",
    "digest_order_help": "Marque materiales arriba; aquí aparecen en el orden en que los muestra el correo.",
    "digest_order_empty": "Todavía no eligió ningún material.",
    "digest_problems": "Para ver el boletín, complete:",
    "digest_need_subject": "Escriba un asunto para el boletín.",
    "digest_need_intro": "Escriba una breve introducción.",
    "digest_need_items": "Elija al menos un material.",
    "unsubscribe_placeholder": "Antes de enviarlo: la dirección para darse de baja es provisional y no "
    "llega a nadie ({url} y {mailto}). Pida a quien administra Folio que configure "
    "FOLIO_UNSUBSCRIBE_URL y FOLIO_UNSUBSCRIBE_MAILTO con las de su lista de correo.",
    "unsubscribe_placeholder_esp": "El HTML copiado usa el enlace para darse de baja de su servicio de "
    "correo; la dirección provisional está en el encabezado List-Unsubscribe de la descarga .eml.",
}
