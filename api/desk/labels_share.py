"""The desk's words for share (issue 21): English in ``EN``, Spanish in ``ES``, the same keys.

``api.desk.labels`` merges them into the catalogs; a key here may also reword one of its own.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "handout_questions": "Questions to ask your care team (one a line)",
    "handout_questions_help": (
        "Printed at the end of the handout. Left empty, the handout lists the item's own FAQ questions."
    ),
    "share_title": "Share a preview",
    "share_help": (
        "Someone without an account can open this link to read the draft's patient page and "
        "handout. They see the draft as it is when they open it, and cannot change anything."
    ),
    "share_days": "Valid for (days)",
    "share_days_help": "From 1 to 30 days.",
    "share_days_error": "Enter a whole number of days from 1 to 30.",
    "share_create": "Create a preview link",
    "share_link": "Preview link",
    "share_link_until": "This link works until {date}. Anyone who has it can read the draft.",
    "share_copy": "Copy the link",
    "share_copied": "Link copied.",
    "share_copy_failed": "Could not copy; select the link and copy it yourself.",
    "shared_banner": "Preview of a draft: not reviewed and not published.",
    "shared_banner_live": (
        "You see the draft as it is right now; it may still change. This link is valid until {date}."
    ),
    "shared_banner_label": "About this preview",
    "shared_handout": "Handout (PDF)",
    "shared_refused_title": "This preview is not available",
    "shared_expired": "This preview link has expired. Ask the person who sent it for a new one.",
    "shared_invalid": "This preview link is not valid. Check that it was copied completely.",
    "shared_gone": (
        "The draft this link showed is gone: it was published or discarded. "
        "Ask the person who sent it for a new link."
    ),
}

ES: dict[str, str] = {
    "handout_questions": "Preguntas para su equipo de atención (una por línea)",
    "handout_questions_help": (
        "Se imprimen al final del folleto. Si lo deja vacío, el folleto muestra las preguntas "
        "frecuentes del propio contenido."
    ),
    "share_title": "Compartir una vista previa",
    "share_help": (
        "Una persona sin cuenta puede abrir este enlace para leer la página para pacientes y el "
        "folleto del borrador. Verá el borrador tal como esté al abrirlo y no podrá cambiar nada."
    ),
    "share_days": "Válido durante (días)",
    "share_days_help": "De 1 a 30 días.",
    "share_days_error": "Escriba un número entero de días, de 1 a 30.",
    "share_create": "Crear un enlace de vista previa",
    "share_link": "Enlace de vista previa",
    "share_link_until": (
        "Este enlace funciona hasta el {date}. Cualquier persona que lo tenga puede leer el borrador."
    ),
    "share_copy": "Copiar el enlace",
    "share_copied": "Enlace copiado.",
    "share_copy_failed": "No se pudo copiar; seleccione el enlace y cópielo usted.",
    "shared_banner": "Vista previa de un borrador: sin revisar y sin publicar.",
    "shared_banner_live": (
        "Usted ve el borrador tal como está ahora; todavía puede cambiar. "
        "Este enlace es válido hasta el {date}."
    ),
    "shared_banner_label": "Sobre esta vista previa",
    "shared_handout": "Folleto (PDF)",
    "shared_refused_title": "Esta vista previa no está disponible",
    "shared_expired": "Este enlace de vista previa ha caducado. Pida uno nuevo a la persona que se lo envió.",
    "shared_invalid": "Este enlace de vista previa no es válido. Compruebe que lo copió completo.",
    "shared_gone": (
        "El borrador que mostraba este enlace ya no existe: se publicó o se descartó. "
        "Pida un enlace nuevo a la persona que se lo envió."
    ),
}
