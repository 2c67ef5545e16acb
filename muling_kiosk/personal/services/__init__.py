"""The personal-data rules as plain functions; views and commands call these, the caller
commits (except the dry run, which changes nothing).

- retention: what `flask purge` anonymises once its period is over
- person: every record of one number, its spreadsheet, and forgetting it
- scrub: finding and removing one number in free text anywhere in the database
"""

# Every import here is a re-export.
from .person import PersonRecords, export_rows, find_person, forget_person, record_export
from .retention import REMOVED_NAME, PurgeReport, purge
from .scrub import number_pattern, scrub_text

__all__ = ["REMOVED_NAME", "PersonRecords", "PurgeReport", "export_rows", "find_person",
           "forget_person", "number_pattern", "purge", "record_export", "scrub_text"]
