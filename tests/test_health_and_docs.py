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


def _resolve(spec, schema):
    prefix = "#/components/schemas/"
    assert schema["$ref"].startswith(prefix), schema
    return spec["components"]["schemas"][schema["$ref"][len(prefix):]]


def test_every_success_body_has_a_named_schema_described_field_by_field(client):
    """Walk every 2xx response: JSON bodies are a $ref to components/schemas, and every
    property reachable from one has a type or a $ref (no bare, undocumented objects)."""
    spec = client.get("/api/openapi.json").json
    seen, checked = set(), 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                if not code.startswith("2") or code == "204":
                    continue
                content = response.get("content")
                assert content, f"{method.upper()} {path} {code} documents no body"
                if path.endswith(".csv"):
                    assert set(content) == {"text/csv"}
                    continue
                schema = content["application/json"]["schema"]
                assert "$ref" in schema, f"{method.upper()} {path} {code}: body schema is not named"
                pending = [_resolve(spec, schema)]
                checked += 1
                while pending:
                    current = pending.pop()
                    for name, prop in current.get("properties", {}).items():
                        prop = prop.get("items", prop) if prop.get("type") == "array" else prop
                        # A nullable or described nested schema sits in anyOf or allOf.
                        prop = next((option for option in prop.get("anyOf", prop.get("allOf", ())) if "$ref" in option), prop)
                        assert "$ref" in prop or "type" in prop, f"{path}: field {name} is undescribed"
                        if prop.get("type") == "object" and "properties" not in prop:
                            # Free-form on purpose (a plugin's details, before/after): said so.
                            assert prop.get("description"), f"{path}: field {name} is a bare object"
                        if "$ref" in prop and prop["$ref"] not in seen:
                            seen.add(prop["$ref"])
                            pending.append(_resolve(spec, prop))
    assert checked >= 12  # threads, posting, reports, queue, comment, decisions, audit


def test_the_moderation_api_documents_its_bodies(client):
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    assert {"comment", "verdicts", "reports"} <= set(schemas["QueueItemOut"]["properties"])
    assert {"version", "site", "thread", "spans", "created_at"} <= set(schemas["QueueCommentOut"]["properties"])
    assert schemas["QueueCommentOut"]["properties"]["created_at"]["format"] == "date-time"
    assert {"id", "email", "ip_hash", "site_id", "expires_at"} <= set(schemas["BanOut"]["properties"])
    assert {"moderator", "action", "before", "after"} <= set(schemas["AuditEntryOut"]["properties"])
