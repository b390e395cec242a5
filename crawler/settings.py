"""Scrapy settings for the reports crawler: polite to government servers by default."""

import os

from crawler.browser import launch_options

BOT_NAME = "cq-reports"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify the crawler honestly; no spoofed browser user agent.
USER_AGENT = "cq-transparency-archive/0.1 (research archive of 政府信息公开工作年度报告; obeys robots.txt)"
BROWSER_USER_AGENT = USER_AGENT + " via headless Chromium"
ROBOTSTXT_OBEY = True

# Politeness: at most 2 requests in flight per host, AutoThrottle adapting to the server.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30

# Transient failures are retried with exponential backoff (crawler.middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
DOWNLOADER_MIDDLEWARES = {
    # The crawl's reach (crawler.guard): registry hosts only, first in line; replaces Scrapy's
    # offsite check, which lets through the frontier's dont_filter requests and their redirects.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.guard.RegistryGuardMiddleware": 40,
    "crawler.guard.ProxyGuardMiddleware": 760,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Responses pass the conditional middleware before the browser's: a listing that suddenly
    # shows nothing is fetched again as it was before it is rendered in the browser.
    "crawler.browser.BrowserMiddleware": 580,
    "crawler.incremental.ConditionalRequestMiddleware": 590,
}

# Pages that need a browser (crawler.browser): scrapy-playwright's handler, started on first use
# (crawler.browser_handler), serves only requests with meta["playwright"]; every other request
# stays on Scrapy's own downloader. Chromium is launched on the first such request, with the
# quiet flags, the binary of REPORTS_CHROMIUM (else Playwright's own, else /usr/bin/chromium) and
# http_proxy as its proxy. One context, at most 4 pages open in it.
DOWNLOAD_HANDLERS = {
    "http": "crawler.browser_handler.LazyPlaywrightHandler",
    "https": "crawler.browser_handler.LazyPlaywrightHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options()
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
# scrapy-playwright would replace the browser's headers with Scrapy's on every load, dropping a
# challenge's cookie; the browser sends its own, with BROWSER_USER_AGENT set on its context.
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = None

# Crawled content is hostile (crawler.guard): private, loopback and link-local addresses are
# refused unless the registry names them literally or they are listed here (addresses or
# networks; REPORTS_ALLOW_PRIVATE="127.0.0.1" lets the local replica's proxy be used).
REPORTS_ALLOW_PRIVATE = [
    value.strip() for value in os.environ.get("REPORTS_ALLOW_PRIVATE", "").split(",") if value.strip()
]
TWISTED_DNS_RESOLVER = "crawler.guard.GuardedResolver"
# Download size limits, enforced while the body streams in (a larger body is a page error):
# listing and article pages, robots.txt; report files (PDF/DOCX) get the larger global limit.
REPORTS_PAGE_MAXSIZE = 8 * 2**20
REPORTS_PAGE_WARNSIZE = 2 * 2**20
DOWNLOAD_MAXSIZE = 64 * 2**20
DOWNLOAD_WARNSIZE = 16 * 2**20
# A listing whose pager claims more pages than this gets a page error; only this many are fetched.
REPORTS_MAX_LISTING_PAGES = 200

# Incremental, resumable crawls (crawler.frontier, crawler.incremental): one crawl at a time per
# archive; the frontier lives in the database; archived pages are revalidated (304s let a
# listing page be read from the archive, so it is handled by the spider).
HTTPERROR_ALLOWED_CODES = [304]
SPIDER_MIDDLEWARES = {
    "crawler.frontier.FrontierMiddleware": 50,
    # A callback that raises still archives its page, with a page error (crawler.middlewares).
    "crawler.middlewares.CallbackErrorMiddleware": 950,
}
EXTENSIONS = {"crawler.frontier.CrawlJobExtension": 100}
REPORTS_RESUME = True
REPORTS_CHECKPOINT_INTERVAL = 5.0
# A report missing from complete crawls of its unit this many runs in a row is withdrawn.
REPORTS_WITHDRAW_AFTER_RUNS = 3
# POSTed the JSON of `reports changes --run ID` after each run that found changes.
REPORTS_WEBHOOK = os.environ.get("REPORTS_WEBHOOK")

# Keep the exact bytes the server sent: snapshots are byte-for-byte.
COMPRESSION_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "crawler.pipelines.SnapshotPipeline": 100,
    "crawler.changes.WithdrawalPipeline": 150,
    "crawler.documents.DocumentPipeline": 180,
    "crawler.pipelines.ReportPipeline": 200,
    "crawler.pipelines.ExtractionPipeline": 300,
}

# Extraction runs in worker processes (crawler.documents, extract.bounded): each document within
# a time bound, each worker within a memory (address space) bound. Size limits: extract.limits.
REPORTS_EXTRACTION_SECONDS = 60.0
REPORTS_EXTRACTION_MEMORY_MB = 1024
REPORTS_EXTRACTION_WORKERS = 2
# Pages and files above these sizes are not parsed (an extraction error; the snapshot is kept).
REPORTS_MAX_PAGE_BYTES = 10 * 1024 * 1024
REPORTS_MAX_FILE_BYTES = 50 * 1024 * 1024

# The archive: any SQLAlchemy URL (default: SQLite under data/) and the snapshot folder.
REPORTS_DB = os.environ.get("REPORTS_DB")
REPORTS_SNAPSHOTS = os.environ.get("REPORTS_SNAPSHOTS")

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
FEED_EXPORT_ENCODING = "utf-8"
