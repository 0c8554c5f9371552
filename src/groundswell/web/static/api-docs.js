// The API docs page: Swagger UI (served by the app from the swagger-ui-bundle package) over this server's
// OpenAPI document. A file of its own, not an inline script: the page's Content-Security-Policy allows 'self'.
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
