"""Progress reports: learner statistics, class reports, item analysis and progress files."""
