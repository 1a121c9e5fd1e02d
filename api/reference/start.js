// Starts Swagger UI on the spec the page names; no validator badge (it would call the internet).
(function () {
  var root = document.getElementById("reference");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
  });
})();
