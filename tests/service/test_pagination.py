"""One pagination contract: every paged list of recruitment takes the same bounded `page` and
`page_size` and answers the same envelope; a page past the bound is a 422, never a 500."""

from __future__ import annotations

import pytest

from chassis.pagination import MAX_PAGE, MAX_PAGE_SIZE

PAGED = (
    "/employees",
    "/formations",
    "/formations/1/applications",
    "/formations/1/ranking",
    "/formations/1/announcement",
    "/selection/2024/appeals",
    "/selection/audit",
)


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "99999999999999999999"),
        ("page", str(MAX_PAGE + 1)),
        ("page", "0"),
        ("page_size", str(MAX_PAGE_SIZE + 1)),
        ("page_size", "0"),
    ],
)
def test_an_out_of_range_page_is_refused_naming_the_argument(recruitment, keys, path, name, value):
    response = recruitment.client.get(
        path, query_string={name: value}, headers=keys.headers("admin")
    )

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["query"]) == [name]


@pytest.mark.parametrize("path", ["/employees", "/formations", "/selection/audit"])
def test_every_list_answers_the_same_envelope(recruitment, keys, path):
    response = recruitment.client.get(
        path, query_string={"page": 3, "page_size": 7}, headers=keys.headers("admin")
    )

    assert response.status_code == 200, response.json
    assert response.json == {"items": [], "page": 3, "page_size": 7, "total": 0}
