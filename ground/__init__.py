"""The ground floor: what every other floor of wuzha may use, and nothing that needs a server.

- ``settings``   every setting, from the environment or ``wuzha.toml`` (one place for defaults)
- ``errors``     ``WuzhaError``, the base of every package's own exceptions
- ``urls``       canonical URLs and the ids derived from them (page, hit, site)
- ``addresses``  which IP addresses may be fetched: the one SSRF policy
- ``levels``     the risk levels (high / medium / low / none)
- ``blocks``     the page-block type and its kinds (what the page model cuts a page into)
- ``clock``      UTC time stamps and the office's time zone

Nothing here imports Scrapy, Twisted, Playwright or Elasticsearch, nor any other wuzha package.
"""
