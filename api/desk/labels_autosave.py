"""The desk's words for autosave (issue 21): English in ``EN``, Spanish in ``ES``, the same keys.

``api.desk.labels`` merges them into the catalogs; a key here may also reword one of its own.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # The editor's heading names the translation being worked on.
    "edit_title": "Edit: {title}",
    "edit_heading": "Edit: {title} — {language}",
    "language_shown": "Language",
    "autosave_status": "Changes save by themselves a moment after you stop typing.",
    "autosave_new": "A new item is not saved automatically: it saves once you create it.",
    "autosave_saving": "Saving…",
    "autosave_saved_at": "Saved at {time}",
    "autosave_failed": "Not saved: the desk could not be reached. Your text is still here; "
    "it will try again.",
    "autosave_problems": "Not saved yet: please fix {count} problems. Your text is still here.",
    "autosave_conflict": "Not saved: someone else saved this draft. Compare the two texts above and "
    "choose which to keep.",
    "live_problems": "Problems",
    "autosave_signin": "Not saved yet: your session has ended. Sign in above and your draft is saved.",
    # Signing in again without leaving the page.
    "signin_again": "Your session has ended",
    "signin_again_help": "Nothing you typed is lost. Sign in again and the desk saves your draft "
    "straight away.",
    "signin_and_save": "Sign in and save",
    "signin_saved": "Signed in again. Your draft is saved.",
    "signin_replay": "Your session ended before the desk could save. Everything you typed is kept: "
    "sign in and it is saved.",
    # Conflicts, side by side.
    "conflict_title": "Someone else saved this draft",
    "conflict": "Someone else saved this draft while you were editing. Nothing you typed is lost: "
    "it is all still below. Compare their saved draft with your text, then keep yours or take theirs.",
    "theirs": "Their saved draft",
    "yours": "Your text",
    "keep_mine": "Keep my text",
    "take_theirs": "Take theirs",
    "conflict_same": "(the same in both)",
    "conflict_empty": "(empty)",
    # The other channels while editing.
    "handout_preview": "Handout (PDF)",
    "handout_open": "Open the handout PDF",
    "email_preview": "Email",
    "email_open": "Open the email preview",
    "previews_after_save": "The handout and the email show the last saved draft; "
    "they update after each save.",
    "entry_question_n": "Question {n}",
    "entry_answer_n": "Answer {n}",
    "row_n": "Row {n}",
    # Problems in plain words.
    "problem_required": "Write something here.",
    "problem_too_long": "Keep this to {n} characters or fewer.",
    "problem_at_least": "Add at least {n}.",
    "problem_one_line": "Keep this on one line.",
    "problem_format": "Use only lowercase letters, digits and hyphens.",
}

ES: dict[str, str] = {
    "edit_title": "Editar: {title}",
    "edit_heading": "Editar: {title} — {language}",
    "language_shown": "Idioma",
    "autosave_status": "Los cambios se guardan solos un momento después de que deje de escribir.",
    "autosave_new": "Un elemento nuevo no se guarda automáticamente: se guarda cuando lo cree.",
    "autosave_saving": "Guardando…",
    "autosave_saved_at": "Guardado a las {time}",
    "autosave_failed": "No se guardó: no se pudo conectar con el escritorio. Su texto sigue aquí; "
    "se volverá a intentar.",
    "autosave_problems": "Aún no se guardó: corrija {count} problemas. Su texto sigue aquí.",
    "autosave_conflict": "No se guardó: otra persona guardó este borrador. Compare los dos textos de "
    "arriba y elija cuál conservar.",
    "live_problems": "Problemas",
    "autosave_signin": "Aún no se guardó: su sesión ha terminado. Inicie sesión arriba y su borrador "
    "se guardará.",
    "signin_again": "Su sesión ha terminado",
    "signin_again_help": "No se ha perdido nada de lo que escribió. Vuelva a iniciar sesión y el "
    "escritorio guardará su borrador de inmediato.",
    "signin_and_save": "Iniciar sesión y guardar",
    "signin_saved": "Ha vuelto a iniciar sesión. Su borrador está guardado.",
    "signin_replay": "Su sesión terminó antes de que el escritorio pudiera guardar. Todo lo que "
    "escribió se conserva: inicie sesión y se guardará.",
    "conflict_title": "Otra persona guardó este borrador",
    "conflict": "Otra persona guardó este borrador mientras usted lo editaba. No se ha perdido nada de "
    "lo que escribió: todo sigue abajo. Compare el borrador que guardó la otra persona con su texto "
    "y luego conserve el suyo o tome el de la otra persona.",
    "theirs": "Borrador guardado por la otra persona",
    "yours": "Su texto",
    "keep_mine": "Conservar mi texto",
    "take_theirs": "Tomar el de la otra persona",
    "conflict_same": "(igual en ambos)",
    "conflict_empty": "(vacío)",
    "handout_preview": "Folleto (PDF)",
    "handout_open": "Abrir el folleto en PDF",
    "email_preview": "Correo electrónico",
    "email_open": "Abrir la vista previa del correo",
    "previews_after_save": "El folleto y el correo muestran el último borrador guardado; se "
    "actualizan después de cada guardado.",
    "entry_question_n": "Pregunta {n}",
    "entry_answer_n": "Respuesta {n}",
    "row_n": "Fila {n}",
    "problem_required": "Escriba algo aquí.",
    "problem_too_long": "Use {n} caracteres como máximo.",
    "problem_at_least": "Añada al menos {n}.",
    "problem_one_line": "Escríbalo en una sola línea.",
    "problem_format": "Use solo letras minúsculas, números y guiones.",
}
