"""Every task family of the built-in suites, in their canonical order.

The order is part of the suites' definition: training task ``i`` belongs to
``FAMILIES[i % len(FAMILIES)]``, and the benchmark cycles through each
scenario's families in this order. Append new families at the end;
reordering or removing one changes which task an id stands for (the catalog
test says so).
"""

from __future__ import annotations

from clawgym_env.envs.suite.families.ab_test_readout import AbTestReadout
from clawgym_env.envs.suite.families.access_log_report import AccessLogReport
from clawgym_env.envs.suite.families.add_cli_flag import AddCliFlag
from clawgym_env.envs.suite.families.api_schema_bump import ApiSchemaBump
from clawgym_env.envs.suite.families.backup_manifest_verify import BackupManifestVerify
from clawgym_env.envs.suite.families.bibliography_cleanup import BibliographyCleanup
from clawgym_env.envs.suite.families.budget_variance import BudgetVariance
from clawgym_env.envs.suite.families.build_order import BuildOrder
from clawgym_env.envs.suite.families.changelog_release import ChangelogRelease
from clawgym_env.envs.suite.families.config_migration import ConfigMigration
from clawgym_env.envs.suite.families.config_render import ConfigRender
from clawgym_env.envs.suite.families.contact_consolidation import ContactConsolidation
from clawgym_env.envs.suite.families.crontab_fix import CrontabFix
from clawgym_env.envs.suite.families.csv_merge_pipeline import CsvMergePipeline
from clawgym_env.envs.suite.families.dependency_audit import DependencyAudit
from clawgym_env.envs.suite.families.disk_usage_report import DiskUsageReport
from clawgym_env.envs.suite.families.downloads_organizer import DownloadsOrganizer
from clawgym_env.envs.suite.families.env_file_merge import EnvFileMerge
from clawgym_env.envs.suite.families.expense_report import ExpenseReport
from clawgym_env.envs.suite.families.faq_from_tickets import FaqFromTickets
from clawgym_env.envs.suite.families.fix_failing_test import FixFailingTest
from clawgym_env.envs.suite.families.grade_calculator import GradeCalculator
from clawgym_env.envs.suite.families.household_bills import HouseholdBills
from clawgym_env.envs.suite.families.inbox_triage import InboxTriage
from clawgym_env.envs.suite.families.inventory_reorder import InventoryReorder
from clawgym_env.envs.suite.families.invoice_followup import InvoiceFollowup
from clawgym_env.envs.suite.families.job_shortlist import JobShortlist
from clawgym_env.envs.suite.families.loan_offers_compare import LoanOffersCompare
from clawgym_env.envs.suite.families.loan_schedule import LoanSchedule
from clawgym_env.envs.suite.families.local_wiki_answers import LocalWikiAnswers
from clawgym_env.envs.suite.families.log_archive import LogArchive
from clawgym_env.envs.suite.families.mail_merge import MailMerge
from clawgym_env.envs.suite.families.meal_plan_shopping import MealPlanShopping
from clawgym_env.envs.suite.families.meeting_actions import MeetingActions
from clawgym_env.envs.suite.families.milestone_plan import MilestonePlan
from clawgym_env.envs.suite.families.newsletter_digest import NewsletterDigest
from clawgym_env.envs.suite.families.notes_index import NotesIndex
from clawgym_env.envs.suite.families.oncall_handoff import OncallHandoff
from clawgym_env.envs.suite.families.packing_list import PackingList
from clawgym_env.envs.suite.families.photo_batch_rename import PhotoBatchRename
from clawgym_env.envs.suite.families.port_conflict_fix import PortConflictFix
from clawgym_env.envs.suite.families.press_release_style import PressReleaseStyle
from clawgym_env.envs.suite.families.price_comparison import PriceComparison
from clawgym_env.envs.suite.families.product_copy_glossary import ProductCopyGlossary
from clawgym_env.envs.suite.families.reading_list import ReadingList
from clawgym_env.envs.suite.families.receipt_reconcile import ReceiptReconcile
from clawgym_env.envs.suite.families.record_validation import RecordValidation
from clawgym_env.envs.suite.families.rename_refactor import RenameRefactor
from clawgym_env.envs.suite.families.sales_kpis import SalesKpis
from clawgym_env.envs.suite.families.saved_search_digest import SavedSearchDigest
from clawgym_env.envs.suite.families.service_config_audit import ServiceConfigAudit
from clawgym_env.envs.suite.families.shift_schedule import ShiftSchedule
from clawgym_env.envs.suite.families.social_post_batch import SocialPostBatch
from clawgym_env.envs.suite.families.standup_digest import StandupDigest
from clawgym_env.envs.suite.families.status_report import StatusReport
from clawgym_env.envs.suite.families.study_plan import StudyPlan
from clawgym_env.envs.suite.families.survey_summary import SurveySummary
from clawgym_env.envs.suite.families.team_availability import TeamAvailability
from clawgym_env.envs.suite.families.timesheet_overtime import TimesheetOvertime
from clawgym_env.envs.suite.families.timezone_meetings import TimezoneMeetings
from clawgym_env.envs.suite.families.tone_rewrite import ToneRewrite
from clawgym_env.envs.suite.families.travel_itinerary import TravelItinerary
from clawgym_env.envs.suite.families.unit_normalize import UnitNormalize
from clawgym_env.envs.suite.families.vendor_scoring import VendorScoring
from clawgym_env.envs.suite.family import TaskFamily

__all__ = ["FAMILIES", "family_named"]

FAMILIES: tuple[TaskFamily, ...] = (
    ExpenseReport(),
    ReceiptReconcile(),
    DownloadsOrganizer(),
    TimesheetOvertime(),
    InvoiceFollowup(),
    TravelItinerary(),
    HouseholdBills(),
    NewsletterDigest(),
    PressReleaseStyle(),
    SocialPostBatch(),
    ToneRewrite(),
    FaqFromTickets(),
    ProductCopyGlossary(),
    SavedSearchDigest(),
    LocalWikiAnswers(),
    BibliographyCleanup(),
    PriceComparison(),
    ContactConsolidation(),
    JobShortlist(),
    SalesKpis(),
    VendorScoring(),
    BudgetVariance(),
    SurveySummary(),
    AbTestReadout(),
    InventoryReorder(),
    LoanOffersCompare(),
    MeetingActions(),
    StandupDigest(),
    OncallHandoff(),
    InboxTriage(),
    TeamAvailability(),
    StatusReport(),
    PhotoBatchRename(),
    ConfigRender(),
    CrontabFix(),
    LogArchive(),
    CsvMergePipeline(),
    MailMerge(),
    FixFailingTest(),
    AddCliFlag(),
    DependencyAudit(),
    ChangelogRelease(),
    RenameRefactor(),
    ApiSchemaBump(),
    ConfigMigration(),
    DiskUsageReport(),
    AccessLogReport(),
    ServiceConfigAudit(),
    EnvFileMerge(),
    BackupManifestVerify(),
    PortConflictFix(),
    ReadingList(),
    PackingList(),
    StudyPlan(),
    NotesIndex(),
    MealPlanShopping(),
    MilestonePlan(),
    UnitNormalize(),
    ShiftSchedule(),
    RecordValidation(),
    TimezoneMeetings(),
    LoanSchedule(),
    BuildOrder(),
    GradeCalculator(),
)


def family_named(name: str) -> TaskFamily:
    """The family called ``name``; ``KeyError`` lists the names."""
    for family in FAMILIES:
        if family.name == name:
            return family
    raise KeyError(f"no task family {name!r}; families: {', '.join(f.name for f in FAMILIES)}")
