"""WordPress and Disqus export files made on the fly, for the import tests and bench/bench_import.py."""

from __future__ import annotations

from typing import IO, Iterable
from xml.sax.saxutils import escape

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Test council</title>
<link>https://council.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://council.example</wp:base_blog_url>
"""
WXR_TAIL = "</channel>\n</rss>\n"


def wxr_comment(comment_id, *, parent=0, author="Resident", email="", content="A comment.",
                date="2024-01-01 10:00:00", date_gmt=None, approved="1", kind="comment") -> str:
    date_gmt = date if date_gmt is None else date_gmt
    return f"""<wp:comment>
<wp:comment_id>{comment_id}</wp:comment_id>
<wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
<wp:comment_date><![CDATA[{date}]]></wp:comment_date>
<wp:comment_date_gmt><![CDATA[{date_gmt}]]></wp:comment_date_gmt>
<wp:comment_content><![CDATA[{content}]]></wp:comment_content>
<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent>
</wp:comment>
"""


def wxr_item(post_id, comments: Iterable[str] = (), *, path=None, title=None, status="publish",
             post_type="post") -> str:
    path = path if path is not None else f"/news/post-{post_id}/"
    title = title if title is not None else f"Post {post_id}"
    return f"""<item>
<title>{escape(title)}</title>
<link>https://council.example{path}</link>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date_gmt><![CDATA[2024-01-01 09:00:00]]></wp:post_date_gmt>
<wp:comment_status><![CDATA[open]]></wp:comment_status>
<wp:status><![CDATA[{status}]]></wp:status>
<wp:post_type><![CDATA[{post_type}]]></wp:post_type>
{''.join(comments)}</item>
"""


def wxr(*items: str) -> bytes:
    return (WXR_HEAD + "".join(items) + WXR_TAIL).encode("utf-8")


def write_large_wxr(out: IO[bytes], comments: int, *, per_post: int = 100) -> None:
    """A WXR file with ``comments`` comments, ``per_post`` to a post, one in three a reply."""
    out.write(WXR_HEAD.encode())
    number = 0
    post = 0
    while number < comments:
        post += 1
        parts = []
        first = number + 1
        for _ in range(min(per_post, comments - number)):
            number += 1
            parent = number - 1 if number % 3 == 0 and number - 1 >= first else 0
            parts.append(wxr_comment(
                number, parent=parent, author=f"Resident {number % 997}", email=f"r{number % 997}@example.org",
                content=f"Comment {number} about the <strong>bins</strong> &amp; the road.\nSecond line "
                        f"https://council.example/bins/{number}",
                date=f"2024-01-01 {number // 3600 % 24:02d}:{number // 60 % 60:02d}:{number % 60:02d}",
            ))
        out.write(wxr_item(post, parts).encode("utf-8"))
    out.write(WXR_TAIL.encode())


DISQUS_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<category dsq:id="1"><forum>test-forum</forum><title>General</title><isDefault>true</isDefault></category>
"""


def disqus_thread(thread_id, path="/page/") -> str:
    return (f'<thread dsq:id="{thread_id}"><forum>test-forum</forum><link>https://council.example{path}</link>'
            f"<title>Page {thread_id}</title><createdAt>2020-01-01T09:00:00Z</createdAt>"
            "<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n")


def disqus_post(post_id, thread_id, *, parent=None, message="<p>Hello</p>", created="2020-01-01T10:00:00Z",
                name="Reader") -> str:
    parent_xml = f'<parent dsq:id="{parent}" />' if parent else ""
    return (f'<post dsq:id="{post_id}"><message><![CDATA[{message}]]></message><createdAt>{created}</createdAt>'
            f"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>{name}</name></author>"
            f'<thread dsq:id="{thread_id}" />{parent_xml}</post>\n')


def disqus(*parts: str) -> bytes:
    return (DISQUS_HEAD + "".join(parts) + "</disqus>\n").encode("utf-8")
