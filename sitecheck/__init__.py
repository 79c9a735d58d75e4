"""Site-level verdicts: what a site as a whole shows that no page rule sees — a registered
site taken over by someone else, spam planted by intruders, pages cloaked for search engines,
visitors hijacked to another host. Scrapy-free and Elasticsearch-free: the crawler feeds it
what it fetched, the indexer stores what it concludes."""
