"""/healthz and the OpenAPI document."""


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_openapi_documents_the_public_api(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert "/api/v1/sites/{site}/threads/{key}" in paths
    post = paths["/api/v1/sites/{site}/threads/{key}/comments"]["post"]
    assert {"201", "202", "403", "404", "415", "422", "429"} <= set(post["responses"])
    schemas = spec["components"]["schemas"]
    assert {"author_name", "body", "parent_id"} <= set(schemas["CommentCreate"]["properties"])
    assert "body" in schemas["CommentCreate"]["required"]


def test_docs_page_is_readable_without_any_other_server(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/api/v1/sites/{site}/threads/{key}/comments" in page
    assert 'id="schema-CommentCreate"' in page and "<code>author_email</code>" in page
    assert 'href="#schema-Error"' in page and 'id="schema-Error"' in page
    assert "<script" not in page  # served by us: no CDN, no JavaScript


def test_unknown_paths_are_json_for_api_clients_and_html_for_browsers(client):
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404 and api.json["code"] == 404
    page = client.get("/nothing-here", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
