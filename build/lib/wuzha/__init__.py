"""wuzha (无诈): find fraud content on registered websites and forums and get it taken down."""

__version__ = "0.1.0"
