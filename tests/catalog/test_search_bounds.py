"""Search costs are bounded: a word shorter than three letters is not a prefix."""

from jomso.catalog.search import fts_query
from tests.catalog.helpers import make_product, names_on


def test_a_word_shorter_than_three_letters_is_not_a_prefix(client):
    assert fts_query("blue st") == '"blue" "st"'
    assert fts_query("xl") == '"xl"'
    assert fts_query("sto") == '"sto"*'
    make_product(client.application, "Stoneware Mug")
    make_product(client.application, "XL Apron")
    assert names_on(client.get("/products?q=st").text) == []
    assert names_on(client.get("/products?q=sto").text) == ["Stoneware Mug"]
    assert names_on(client.get("/products?q=xl").text) == ["XL Apron"]
