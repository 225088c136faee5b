"""The school office's console (docs/design.md §5), for school staff and district admins."""

from app.web.staff.accounts import GuardianSecondFactorController, StaffAccountsController
from app.web.staff.access import StaffAccessController
from app.web.staff.absence_reports import AbsenceReportsQueueController
from app.web.staff.console import StaffConsoleController
from app.web.staff.corrections import StaffCorrectionsController
from app.web.staff.district import DistrictController
from app.web.staff.queues import QueuesController

STAFF_CONTROLLERS = [StaffConsoleController, QueuesController, DistrictController, StaffAccessController,
                     StaffCorrectionsController, AbsenceReportsQueueController, StaffAccountsController,
                     GuardianSecondFactorController]
