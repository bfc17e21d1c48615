# The worker portal's messages in English: the source every other language translates.
# Placeables ({ $count }, { $id }) are filled in by the portal; keep them as they are.

language-name = English
portal-title = My social protection record
skip-to-content = Skip to the content

## Choosing a language
choose-language = Choose your language
choose-language-hint = You can change it later on every page.

## Start
start-heading = Your contributions, in every country you worked in
start-intro = See the months your employers paid for, in one place, and what they add up to under the agreements between countries.
start-sign-in = Sign in with your PIN
start-activate = First time? Use the code on your slip
start-verify = Check a statement someone gave you

## Activation
activate-heading = Set your PIN
activate-intro = Your agency gave you a slip with your worker number and a one-time code. The code works once, until the date on the slip.
field-worker-id = Worker number
field-worker-id-hint = 17 letters and digits, starting with W, as on your slip
field-activation-code = One-time code
field-activation-code-hint = 12 letters and digits, as on your slip
field-pin = PIN
field-pin-hint = 6 to 12 digits. Not one digit repeated, and not digits in a row like 123456.
field-pin-again = Your PIN again
activate-submit = Set my PIN
activate-pins-differ = The two PINs are not the same.

## Signing in
sign-in-heading = Sign in
sign-in-submit = Sign in
sign-in-activate-instead = Never set a PIN? Use the code on your slip.
sign-out = Sign out
signed-out = You are signed out.
session-ended = Your session ended. Sign in again.

## Errors
error-heading = There is a problem
error-wrong = The worker number, the code or the PIN is wrong. { $left ->
    [one] You have 1 more try before it is locked.
   *[other] You have { $left } more tries before it is locked.
}
error-wrong-no-count = The worker number, the code or the PIN is wrong.
error-locked = Your access is locked. Ask the agency of your home country, or the one that enrolled you, to reset it. They will give you a new code.
error-expired = This code has expired. Ask the agency of your home country, or the one that enrolled you, for a new one.
error-used = This code was used already. Sign in with your PIN.
error-not-activated = You have not set a PIN yet. Use the code on your slip.
error-form = Check what you typed: { $field }
error-busy = The service is busy. Wait a moment and try again.
error-unavailable = The service cannot answer now. Try again later.
error-form-expired = This page was open too long. Please send it again.
not-found-heading = Page not found
not-found-body = There is no page at this address.

## Her record
me-heading = Your record
me-worker-id = Worker number: { $id }
me-as-of = Up to date as of { $date }.
me-nothing-yet = No contributions are recorded for you yet.
me-country-months = { $months ->
    [one] 1 month
   *[other] { $months } months
}
me-own-months = Months paid for in { $country }: { $months }
me-total-months = Months that count here with the agreements: { $months }
me-missing-months = { $months ->
    [0] You have enough months to qualify here.
    [one] 1 more month is needed to qualify here.
   *[other] { $months } more months are needed to qualify here.
}
me-agreement-adds = The agreement with { $country } adds its months.
me-amount-projected = Estimated amount: { $amount } a month. It is projected, not payable yet.
me-amount-projected-from = Estimated amount: { $amount } a month, from { $date }. It is projected, not payable yet.
me-amount-payable = Amount payable: { $amount } a month.
me-amount-suspended = { $amount } a month, held while you live in a country this benefit is not paid to.
me-amount-none = No amount is payable here for these months.
me-no-scheme = This country has no scheme for this benefit: the months still count elsewhere.

## Countries (ISO 3166-1)
country-PH = Philippines
country-ID = Indonesia
country-NP = Nepal
country-MY = Malaysia
country-SG = Singapore
country-HK = Hong Kong
country-TH = Thailand
country-SA = Saudi Arabia
country-AE = United Arab Emirates
country-ES = Spain
country-IT = Italy

## Benefits (ILO C102 branches)
branch-old_age = Old-age pension
branch-invalidity = Invalidity
branch-survivors = Survivors
branch-sickness = Sickness
branch-maternity = Maternity
branch-unemployment = Unemployment
branch-employment_injury = Work injury
branch-health_care = Health care
branch-family = Family

## Months
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
month-year = { $month } { $year }
day-month-year = { $day } { $month } { $year }

## Navigation of her pages
nav-me = My months
nav-record = Month by month
nav-claims = My claims

## Her record, month by month
record-heading = Your record, month by month
record-intro = Each month your employers declared, with the wage and the employer's reference, newest first. A month with nothing recorded may be a contribution that was not paid: you can report it.
record-month-paid = { $month }: wage { $wage }, employer { $employer }
record-month-corrected = { $month }: wage { $wage }, employer { $employer } (corrected)
record-month-credited = { $month }: counted without a contribution (for example maternity or unemployment)
record-month-gap = { $month }: nothing recorded.
record-report-gap = Report this month as missing
record-more = { $count ->
    [one] 1 older month is not listed.
   *[other] { $count } older months are not listed.
}

## Reporting a missing contribution, one question per page
claim-heading = Report a missing contribution
claim-step = Question { $step } of { $steps }
claim-country-question = In which country did you do this work?
claim-employer-question = What is your employer's reference?
claim-employer-hint = As on your payslip or your record, for example PH-EMP-0042. Not your employer's name.
claim-months-question = Which months are missing?
claim-months-hint = Year and month, like 2024-03. For several months, put a space between them.
claim-kind-question = What happened?
claim-kind-missing_contribution = My employer did not pay the contribution
claim-kind-unremitted_deduction = Money was taken from my wage for it, but not paid in
claim-kind-unpaid_benefit = A benefit was not paid to me
claim-kind-unpaid_wages = My wages were not paid
claim-kind-end_of_service_dues = My end-of-service pay was not paid
claim-kind-recruitment_cost_from_wages = Recruitment costs were taken from my wages
claim-evidence-question = Do you have a payslip or another paper about it?
claim-evidence-hint = Optional. Only a fingerprint of the file is kept, never the file itself: keep the paper safe.
claim-continue = Continue
claim-check-heading = Check your answers before sending
claim-check-country = Country
claim-check-employer = Employer's reference
claim-check-months = Months
claim-check-kind = What happened
claim-check-evidence = Paper
claim-no-evidence = None
claim-evidence-kept = Fingerprint { $digest }
claim-change = Change
claim-submit = Send the report
claim-sent = Your report was sent. The agency of { $country } must answer by { $date }.
claim-error-country = Choose the country.
claim-error-employer = Write the employer's reference: 1 to 64 letters, digits or signs.
claim-error-months = Write each month as year and month, like 2024-03: 1 to 120 months, none in the future.
claim-error-kind = Choose what happened.
claim-error-evidence = The file is too large: at most { $megabytes } MB.
claim-error-sent = The report was not accepted: { $reason }

## Her claims
claims-heading = Your reports
claims-none = You have not reported anything yet.
claims-new = Report a missing contribution
claims-item = { $kind }: { $country }, employer { $employer }, { $months }
claims-filed = Sent on { $date }.
claims-state-open = Waiting for an answer. The agency must answer by { $date }.
claims-state-overdue = { $days ->
    [one] Late: the agency should have answered by { $date }, 1 day ago. Ask the agency of your home country to follow it up.
   *[other] Late: the agency should have answered by { $date }, { $days } days ago. Ask the agency of your home country to follow it up.
}
claims-state-upheld = Accepted: the missing months were added to your record.
claims-state-rejected = Refused. The reason given: { $reason }
claims-state-appealed = You appealed. The appeal body of { $country } must decide by { $date }.
claims-state-appeal-overdue = You appealed. The appeal body of { $country } should have decided by { $date } and has not. Ask the agency of your home country to follow it up.
claims-state-upheld-on-appeal = Accepted on appeal.
claims-state-rejected-on-appeal = Refused on appeal. The reason given: { $reason }
claims-appeal-grounds = A letter or new papers for your appeal (you may leave this empty). Only a fingerprint of the file is sent; the file stays with you.
claims-appeal = Appeal this answer
claims-appeal-sent = Your appeal was sent. It must be decided by { $date }.
claims-appeal-refused = The appeal was not accepted: { $reason }

## The slip an agency prints at enrolment
slip-heading = Your social protection record: how to open it
slip-worker-id = Worker number: { $id }
slip-code = One-time code: { $code }
slip-valid-until = The code works once, until { $date }.
slip-open = On your phone, open this address, or scan the square:
slip-private = Keep this slip to yourself. You will choose a PIN; nobody from the agency or your employer needs it.

## Her statement
nav-statement = My statement
statement-heading = Your statement
statement-intro = A file with every event of your record, each with the ledger's proof that it is in the log as the ledger signed it. Any institution can check it without trusting this website.
statement-download = Download my statement
statement-count = { $count ->
    [one] 1 event, proved against the ledger's signed state of { $size } events.
   *[other] { $count } events, proved against the ledger's signed state of { $size } events.
}

## Settings
nav-settings = Settings
settings-heading = Settings
settings-language = Language: { $language }
settings-change-language = Change the language
settings-sign-out-everywhere = Sign out on every phone
settings-sign-out-everywhere-hint = Use this if you signed in on a phone you no longer have, or that others use.
settings-signed-out-everywhere = You are signed out on every phone.

## Printing her statement
statement-print = Print my record with its check code
print-heading = Social protection record
print-worker = Worker number: { $worker }
print-hint = Use your browser's Print command. Give the statement file with the paper: the square lets anyone check it.
print-check-heading = Check that this record is genuine
print-check = Scan the square or open this address, then choose the statement file the worker gives you. The check runs on your phone and sends nothing.
print-qr-label = Square code with the address of the check page
print-signed = Printed on { $date }, from the ledger's log of { $size } events, signed with root { $root }.

## Checking a statement (/verify)
verify-heading = Check a statement
verify-intro = Anyone can check a worker's statement here. Your browser checks every record against the ledger's signature. The file does not leave this phone.
verify-no-script = This check runs in your browser and needs JavaScript. Without it, the command "ledger statement verify" makes the same check.
verify-choose = Choose the statement file
verify-key-heading = The key this page checks with
verify-key-hint = This is the ledger's public verifier key. An institution can compare it with the key the ledger's operator published.
verify-working = Checking…
verify-expected = The printed record is of worker { $worker }.
verify-ok = Genuine. Worker { $worker }. Records checked: { $count }. The ledger's log held { $size } events when it signed them.
verify-cosigned = Also countersigned by { $count } of the { $total } ledger replicas this page knows.
verify-failed = Not genuine. Do not rely on this file.
verify-error-file = This is not a statement file.
verify-error-large = This file is too large to be a statement.
verify-error-key = The key built into this page is not valid.
verify-error-checkpoint = The ledger's signature on this statement does not check out.
verify-error-record = Record { $seq } is damaged, or is not about this worker.
verify-error-proof = Record { $seq } was changed: it is not the record in the ledger's log.
verify-error-empty = The statement holds no records.
verify-error-worker = This statement is of worker { $found }, not of { $expected }.
verify-contributions = Contributions in the statement
verify-columns = Month | Country | Insured wage
verify-reversed = reversed

## Passkeys
sign-in-passkey-or = Or, on a phone where you added a passkey, type your worker number above and:
sign-in-passkey = Sign in with a passkey
sign-in-passkey-failed = The passkey did not sign you in. Try again, or use your PIN.
error-no-passkey = You have no passkey yet. Sign in with your PIN; you can add one in Settings.
settings-passkey-heading = A passkey on this phone
settings-passkey-hint = Only if this phone is yours alone: the phone's lock (fingerprint, face or screen lock) will then open your record, without your PIN. Anyone who can unlock this phone could open it too.
settings-passkey-pin = Your PIN, to confirm it is you
settings-passkey-add = Add a passkey
settings-passkey-added = Your passkey was added. On this phone you can sign in with it.
settings-passkey-failed = The passkey was not added. Try again, or keep using your PIN.

## Her credential
settings-credential-heading = The credential on your enrolment paper
settings-credential-hint = Your agency gave you a long credential when you were enrolled. You do not need it here. If someone else may have it (your employer kept the paper, for one), replace it: the old one stops working at once.
settings-credential-replace = Replace my credential
settings-trust-heading = Organisations you trust with your claims
settings-trust-hint = A union or a migrant workers' organisation can file your claims and follow them for you once you give it your consent. It never sees your contributions or your personal details. You can take your consent back at any time.
settings-trust-none = You have not given your consent to any organisation.
settings-trust-entry = { $organisation }, registered in { $country }
settings-trust-revoke = Take back my consent
settings-trust-give-label = The organisation's identifier (the organisation gives it to you)
settings-trust-give = Give my consent
settings-trust-given = Your consent is recorded. The organisation can now file and follow your claims.
settings-trust-taken-back = Your consent is taken back. The organisation can no longer file or follow your claims.
settings-trust-unknown = No organisation with this identifier is registered. Check the identifier with the organisation.
credential-heading = Your new credential
credential-replaced = Your old credential no longer works. This is the new one, shown only this once:
credential-keep = You do not need it on this website. Keep it private: whoever has it can read your record. Your PIN still works.
credential-back = Back to settings
