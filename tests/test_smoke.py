from tests.helpers import THREAD_URL, post


def test_post_then_read(client, site):
    response = post(client, "Hello *there*")
    assert response.status_code == 201, response.json
    assert response.json["comment"]["status"] == "published"
    thread = client.get(THREAD_URL).json
    assert thread["thread"]["comment_count"] == 1
    assert thread["comments"][0]["body_html"] == "<p>Hello <em>there</em></p>"
