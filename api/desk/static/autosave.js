// Folio Desk: autosave (issue 21); the page works without it.
