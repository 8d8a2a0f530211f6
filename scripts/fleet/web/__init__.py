"""The web app (`web/`, Next.js): built once per version of its sources and served by `fleet up`
behind the edge."""
