// Folio Desk: packets (issue 21); the page works without it.
