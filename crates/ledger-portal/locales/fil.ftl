# The worker portal's messages in Filipino.
# Machine-assisted translation, awaiting review by native speakers.

language-name = Filipino
portal-title = Ang aking rekord ng kontribusyon at benepisyo
skip-to-content = Lumaktaw sa nilalaman

## Pagpili ng wika
choose-language = Piliin ang iyong wika
choose-language-hint = Puwede mo itong palitan mamaya sa bawat pahina.

## Simula
start-heading = Ang iyong mga kontribusyon, sa bawat bansang pinagtrabahuhan mo
start-intro = Tingnan sa iisang lugar ang mga buwang binayaran ng iyong mga employer, at kung ilan ang kabuuan nito ayon sa mga kasunduan ng mga bansa.
start-sign-in = Mag-sign in gamit ang iyong PIN
start-activate = Unang beses? Gamitin ang code sa iyong slip
start-verify = Suriin ang statement na ibinigay sa iyo ng ibang tao

## Pag-activate
activate-heading = Gumawa ng iyong PIN
activate-intro = Binigyan ka ng iyong ahensiya ng social security ng slip na may numero ng manggagawa at isang-beses na code. Isang beses lang gagana ang code, hanggang sa petsang nakasulat sa slip.
field-worker-id = Numero ng manggagawa
field-worker-id-hint = 17 letra at numero, nagsisimula sa W, gaya ng nasa iyong slip
field-activation-code = Isang-beses na code
field-activation-code-hint = 12 letra at numero, gaya ng nasa iyong slip
field-pin = PIN
field-pin-hint = 6 hanggang 12 numero. Hindi puwedeng iisang numero lang na inulit, o sunod-sunod na numero gaya ng 123456.
field-pin-again = Ulitin ang iyong PIN
activate-submit = Itakda ang aking PIN
activate-pins-differ = Hindi magkapareho ang dalawang PIN.

## Pag-sign in
sign-in-heading = Mag-sign in
sign-in-submit = Mag-sign in
sign-in-activate-instead = Wala ka pang PIN? Gamitin ang code sa iyong slip.
sign-out = Mag-sign out
signed-out = Naka-sign out ka na.
session-ended = Natapos na ang iyong session. Mag-sign in ulit.

## Mga error
error-heading = May problema
error-wrong = Mali ang numero ng manggagawa, ang code o ang PIN. { $left ->
    [one] { $left } subok na lang ang natitira bago ito ma-lock.
   *[other] { $left } subok na lang ang natitira bago ito ma-lock.
}
error-wrong-no-count = Mali ang numero ng manggagawa, ang code o ang PIN.
error-locked = Naka-lock ang iyong access. Hilingin sa ahensiya ng social security ng sarili mong bansa, o sa ahensiyang nag-enroll sa iyo, na i-reset ito. Bibigyan ka nila ng bagong code.
error-expired = Expired na ang code na ito. Humingi ng bago sa ahensiya ng social security ng sarili mong bansa, o sa ahensiyang nag-enroll sa iyo.
error-used = Nagamit na ang code na ito. Mag-sign in gamit ang iyong PIN.
error-not-activated = Wala ka pang PIN. Gamitin ang code sa iyong slip.
error-form = Suriin ang iyong tinype: { $field }
error-busy = Abala ang serbisyo. Maghintay sandali at subukan ulit.
error-unavailable = Hindi makasagot ang serbisyo ngayon. Subukan ulit mamaya.
error-form-expired = Masyadong matagal na bukas ang pahinang ito. Pakipadala ulit.
not-found-heading = Hindi makita ang pahina
not-found-body = Walang pahina sa address na ito.

## Ang kanyang rekord
me-heading = Ang iyong rekord
me-worker-id = Numero ng manggagawa: { $id }
me-as-of = Na-update noong { $date }.
me-nothing-yet = Wala pang nakatalang kontribusyon para sa iyo.
me-country-months = { $months ->
    [one] { $months } buwan
   *[other] { $months } buwan
}
me-own-months = Mga buwang binayaran sa { $country }: { $months }
me-total-months = Mga buwang binibilang dito dahil sa mga kasunduan: { $months }
me-missing-months = { $months ->
    [0] Sapat na ang iyong mga buwan para maging kwalipikado dito.
    [one] Kailangan mo pa ng { $months } buwan para maging kwalipikado dito.
   *[other] Kailangan mo pa ng { $months } buwan para maging kwalipikado dito.
}
me-agreement-adds = Dahil sa kasunduan sa { $country }, bilang din ang mga buwan mo roon.
me-amount-projected = Tantiyang halaga: { $amount } kada buwan. Tantiya pa lang ito, hindi mo pa ito makukuha.
me-amount-projected-from = Tantiyang halaga: { $amount } kada buwan, simula { $date }. Tantiya pa lang ito, hindi mo pa ito makukuha.
me-amount-payable = Halagang matatanggap mo: { $amount } kada buwan.
me-amount-suspended = { $amount } kada buwan, nakahinto habang nakatira ka sa bansang hindi pinagbabayaran ng benepisyong ito.
me-amount-none = Walang halagang matatanggap dito para sa mga buwang ito.
me-no-scheme = Walang programa ang bansang ito para sa benepisyong ito, pero bilang pa rin ang mga buwan sa ibang bansa.

## Mga bansa (ISO 3166-1)
country-PH = Pilipinas
country-ID = Indonesia
country-NP = Nepal
country-MY = Malaysia
country-SG = Singapore
country-HK = Hong Kong
country-TH = Thailand
country-SA = Saudi Arabia
country-AE = United Arab Emirates
country-ES = Espanya
country-IT = Italya

## Mga benepisyo (ILO C102 branches)
branch-old_age = Pensiyon sa pagtanda
branch-invalidity = Kapansanan
branch-survivors = Para sa mga naulila
branch-sickness = Pagkakasakit
branch-maternity = Panganganak
branch-unemployment = Kawalan ng trabaho
branch-employment_injury = Pinsala sa trabaho
branch-health_care = Pangangalaga sa kalusugan
branch-family = Pamilya

## Mga buwan
month-1 = Enero
month-2 = Pebrero
month-3 = Marso
month-4 = Abril
month-5 = Mayo
month-6 = Hunyo
month-7 = Hulyo
month-8 = Agosto
month-9 = Setyembre
month-10 = Oktubre
month-11 = Nobyembre
month-12 = Disyembre
month-year = { $month } { $year }
day-month-year = { $day } { $month } { $year }

## Paglipat sa kanyang mga pahina
nav-me = Aking mga buwan
nav-record = Buwan-buwan
nav-claims = Aking mga ulat

## Ang kanyang rekord, buwan-buwan
record-heading = Ang iyong rekord, buwan-buwan
record-intro = Bawat buwang idineklara ng iyong mga employer, kasama ang sahod at ang reference number ng employer, simula sa pinakabago. Ang buwang walang nakatala ay maaaring kontribusyong hindi nabayaran: puwede mo itong iulat.
record-month-paid = { $month }: sahod { $wage }, employer { $employer }
record-month-corrected = { $month }: sahod { $wage }, employer { $employer } (itinama)
record-month-credited = { $month }: binilang kahit walang kontribusyon (halimbawa, dahil sa panganganak o kawalan ng trabaho)
record-month-gap = { $month }: walang nakatala.
record-report-gap = Iulat na nawawala ang buwang ito
record-more = { $count ->
    [one] { $count } mas lumang buwan ang hindi nakalista.
   *[other] { $count } mas lumang buwan ang hindi nakalista.
}

## Pag-uulat ng nawawalang kontribusyon, isang tanong bawat pahina
claim-heading = Iulat ang nawawalang kontribusyon
claim-step = Tanong { $step } sa { $steps }
claim-country-question = Sa aling bansa mo ginawa ang trabahong ito?
claim-employer-question = Ano ang reference number ng iyong employer?
claim-employer-hint = Gaya ng nasa iyong payslip o rekord, halimbawa PH-EMP-0042. Hindi ang pangalan ng iyong employer.
claim-months-question = Aling mga buwan ang nawawala?
claim-months-hint = Taon at buwan, gaya ng 2024-03. Kung higit sa isang buwan, maglagay ng espasyo sa pagitan ng bawat isa.
claim-kind-question = Ano ang nangyari?
claim-kind-missing_contribution = Hindi binayaran ng employer ko ang kontribusyon
claim-kind-unremitted_deduction = May kinaltas sa sahod ko para dito, pero hindi ito naihulog
claim-kind-unpaid_benefit = May benepisyong hindi ibinayad sa akin
claim-kind-unpaid_wages = Hindi ibinayad ang aking sahod
claim-kind-end_of_service_dues = Hindi ibinayad ang aking end-of-service pay
claim-kind-recruitment_cost_from_wages = Kinaltas sa aking sahod ang gastos sa recruitment
claim-evidence-question = May payslip ka ba o ibang papel tungkol dito?
claim-evidence-hint = Opsyonal. "Fingerprint" lang ng file ang itinatago, hindi kailanman ang mismong file: ingatan mo ang papel.
claim-continue = Magpatuloy
claim-check-heading = Suriin ang iyong mga sagot bago ipadala
claim-check-country = Bansa
claim-check-employer = Reference number ng employer
claim-check-months = Mga buwan
claim-check-kind = Ang nangyari
claim-check-evidence = Papel
claim-no-evidence = Wala
claim-evidence-kept = Fingerprint { $digest }
claim-change = Baguhin
claim-submit = Ipadala ang ulat
claim-sent = Naipadala na ang iyong ulat. Dapat sumagot ang ahensiya ng social security ng { $country } hanggang { $date }.
claim-error-country = Piliin ang bansa.
claim-error-employer = Isulat ang reference number ng employer: 1 hanggang 64 na letra, numero o simbolo.
claim-error-months = Isulat ang bawat buwan bilang taon at buwan, gaya ng 2024-03: 1 hanggang 120 buwan, walang buwan sa hinaharap.
claim-error-kind = Piliin kung ano ang nangyari.
claim-error-evidence = Masyadong malaki ang file: hanggang { $megabytes } MB lang.
claim-error-sent = Hindi tinanggap ang ulat: { $reason }

## Ang kanyang mga ulat
claims-heading = Ang iyong mga ulat
claims-none = Wala ka pang naiulat.
claims-new = Iulat ang nawawalang kontribusyon
claims-item = { $kind }: { $country }, employer { $employer }, { $months }
claims-filed = Ipinadala noong { $date }.
claims-state-open = Naghihintay ng sagot. Dapat sumagot ang ahensiya hanggang { $date }.
claims-state-overdue = { $days ->
    [one] Huli na: dapat sumagot ang ahensiya hanggang { $date }, { $days } araw na ang nakalipas. Hilingin sa ahensiya ng social security ng sarili mong bansa na i-follow up ito.
   *[other] Huli na: dapat sumagot ang ahensiya hanggang { $date }, { $days } araw na ang nakalipas. Hilingin sa ahensiya ng social security ng sarili mong bansa na i-follow up ito.
}
claims-state-upheld = Tinanggap: naidagdag na sa iyong rekord ang mga nawawalang buwan.
claims-state-rejected = Tinanggihan. Ang ibinigay na dahilan: { $reason }
claims-state-appealed = Nag-apela ka. Dapat magpasya ang appeal body ng { $country } hanggang { $date }.
claims-state-appeal-overdue = Nag-apela ka. Dapat nakapagpasya na ang appeal body ng { $country } hanggang { $date }, pero hindi pa. Hilingin sa ahensya ng iyong sariling bansa na i-follow up ito.
claims-state-upheld-on-appeal = Tinanggap sa apela.
claims-state-rejected-on-appeal = Tinanggihan sa apela. Ang ibinigay na dahilan: { $reason }
claims-appeal-grounds = Isang sulat o bagong papeles para sa iyong apela (puwedeng iwanang walang laman). Fingerprint lang ng file ang ipinapadala; sa iyo mananatili ang file.
claims-appeal = I-apela ang sagot na ito
claims-appeal-sent = Naipadala ang iyong apela. Dapat itong mapagpasyahan hanggang { $date }.
claims-appeal-refused = Hindi tinanggap ang apela: { $reason }

## Ang slip na ibinibigay ng ahensiya sa pagpapatala
slip-heading = Ang iyong rekord ng social security: paano ito buksan
slip-worker-id = Numero ng manggagawa: { $id }
slip-code = Isang-beses na code: { $code }
slip-valid-until = Isang beses lang gagana ang code, hanggang { $date }.
slip-open = Sa iyong telepono, buksan ang address na ito, o i-scan ang parisukat:
slip-private = Itago mo ang slip na ito. Pipili ka ng sariling PIN; hindi ito kailangan ng ahensiya o ng iyong employer.

## Ang iyong statement
nav-statement = Aking statement
statement-heading = Ang iyong statement
statement-intro = Isang file na may bawat pangyayari sa iyong rekord, bawat isa may patunay ng ledger na nasa log ito ayon sa pinirmahan ng ledger. Masusuri ito ng kahit anong institusyon nang hindi kailangang magtiwala sa website na ito.
statement-download = I-download ang aking statement
statement-count = { $count ->
    [one] { $count } pangyayari, pinatunayan laban sa pinirmahang estado ng ledger na may { $size } pangyayari.
   *[other] { $count } na pangyayari, pinatunayan laban sa pinirmahang estado ng ledger na may { $size } pangyayari.
}

## Mga setting
nav-settings = Mga setting
settings-heading = Mga setting
settings-language = Wika: { $language }
settings-change-language = Palitan ang wika
settings-sign-out-everywhere = Mag-sign out sa lahat ng telepono
settings-sign-out-everywhere-hint = Gamitin ito kung nag-sign in ka sa teleponong wala na sa iyo, o ginagamit ng iba.
settings-signed-out-everywhere = Naka-sign out ka na sa lahat ng telepono.

## Pag-print ng kanyang statement
statement-print = I-print ang aking rekord kasama ang check code nito
print-heading = Rekord ng social protection
print-worker = Numero ng manggagawa: { $worker }
print-hint = Gamitin ang Print ng iyong browser. Ibigay ang statement file kasama ng papel: sa pamamagitan ng parisukat, kahit sino ay makakapag-check nito.
print-check-heading = Tiyakin na totoo ang rekord na ito
print-check = I-scan ang parisukat o buksan ang address na ito, saka piliin ang statement file na ibibigay ng manggagawa. Sa iyong telepono tumatakbo ang pag-check at walang ipinapadala.
print-qr-label = Parisukat na code na may address ng pahina ng pag-check
print-signed = Na-print noong { $date }, mula sa log ng ledger na may { $size } na event, pinirmahan na may root na { $root }.

## Pag-check ng statement (/verify)
verify-heading = I-check ang isang statement
verify-intro = Kahit sino ay makakapag-check dito ng statement ng isang manggagawa. Chine-check ng iyong browser ang bawat rekord laban sa pirma ng ledger. Hindi umaalis sa teleponong ito ang file.
verify-no-script = Tumatakbo ang pag-check na ito sa iyong browser at kailangan nito ang JavaScript. Kung wala ito, ang command na "ledger statement verify" ang gagawa ng parehong pag-check.
verify-choose = Piliin ang statement file
verify-key-heading = Ang key na ginagamit ng pahinang ito sa pag-check
verify-key-hint = Ito ang pampublikong verifier key ng ledger. Maaari itong ikumpara ng isang institusyon sa key na inilathala ng nagpapatakbo ng ledger.
verify-working = Chine-check…
verify-expected = Ang naka-print na rekord ay sa manggagawang { $worker }.
verify-ok = Totoo. Manggagawa { $worker }. Mga rekord na na-check: { $count }. May { $size } na event ang log ng ledger nang pirmahan ang mga ito.
verify-cosigned = Pinirmahan din ng { $count } sa { $total } na replica ng ledger na kilala ng pahinang ito.
verify-failed = Hindi totoo. Huwag umasa sa file na ito.
verify-error-file = Hindi ito isang statement file.
verify-error-large = Masyadong malaki ang file na ito para maging statement.
verify-error-key = Hindi valid ang key na nakapaloob sa pahinang ito.
verify-error-checkpoint = Hindi tugma ang pirma ng ledger sa statement na ito.
verify-error-record = Sira ang rekord { $seq }, o hindi ito tungkol sa manggagawang ito.
verify-error-proof = Binago ang rekord { $seq }: hindi ito ang rekord na nasa log ng ledger.
verify-error-empty = Walang rekord ang statement.
verify-error-worker = Ang statement na ito ay sa manggagawang { $found }, hindi kay { $expected }.
verify-contributions = Mga kontribusyon sa statement
verify-columns = Buwan | Bansa | Sahod na may insurance
verify-reversed = binawi

## Mga passkey
sign-in-passkey-or = O kaya, sa teleponong pinagdagdagan mo ng passkey, i-type sa itaas ang iyong numero ng manggagawa at:
sign-in-passkey = Mag-sign in gamit ang passkey
sign-in-passkey-failed = Hindi ka naipasok ng passkey. Subukang muli, o gamitin ang iyong PIN.
error-no-passkey = Wala ka pang passkey. Mag-sign in gamit ang iyong PIN; maaari kang magdagdag nito sa Settings.
settings-passkey-heading = Passkey sa teleponong ito
settings-passkey-hint = Kung ikaw lang ang gumagamit ng teleponong ito: ang lock ng telepono (fingerprint, mukha o screen lock) na ang magbubukas ng iyong rekord, nang walang PIN. Mabubuksan din ito ng sinumang makapag-a-unlock ng teleponong ito.
settings-passkey-pin = Ang iyong PIN, para matiyak na ikaw ito
settings-passkey-add = Magdagdag ng passkey
settings-passkey-added = Naidagdag ang iyong passkey. Sa teleponong ito, maaari ka nang mag-sign in gamit ito.
settings-passkey-failed = Hindi naidagdag ang passkey. Subukang muli, o patuloy na gamitin ang iyong PIN.

## Ang kanyang credential
settings-credential-heading = Ang credential sa papel ng iyong enrollment
settings-credential-hint = Binigyan ka ng ahensiya ng mahabang credential nang ma-enroll ka. Hindi mo ito kailangan dito. Kung maaaring hawak ito ng iba (halimbawa, itinago ng iyong employer ang papel), palitan ito: titigil agad sa paggana ang luma.
settings-credential-replace = Palitan ang aking credential
settings-trust-heading = Mga organisasyong pinagkakatiwalaan mo sa iyong mga ulat
settings-trust-hint = Ang isang unyon o organisasyon ng mga migranteng manggagawa ay maaaring maghain at sumubaybay ng iyong mga ulat para sa iyo kapag binigyan mo ito ng iyong pahintulot. Hindi nito nakikita ang iyong mga kontribusyon o personal na detalye. Maaari mong bawiin ang iyong pahintulot anumang oras.
settings-trust-none = Wala ka pang binigyan ng pahintulot na organisasyon.
settings-trust-entry = { $organisation }, nakarehistro sa { $country }
settings-trust-revoke = Bawiin ang aking pahintulot
settings-trust-give-label = Ang identifier ng organisasyon (ibinibigay ito sa iyo ng organisasyon)
settings-trust-give = Ibigay ang aking pahintulot
settings-trust-given = Naitala ang iyong pahintulot. Maaari nang maghain at sumubaybay ang organisasyon ng iyong mga ulat.
settings-trust-taken-back = Nabawi na ang iyong pahintulot. Hindi na maaaring maghain o sumubaybay ang organisasyon ng iyong mga ulat.
settings-trust-unknown = Walang nakarehistrong organisasyon na may ganitong identifier. Suriin ang identifier sa organisasyon.
credential-heading = Ang iyong bagong credential
credential-replaced = Hindi na gumagana ang luma mong credential. Ito ang bago, na ipinapakita ngayon lang:
credential-keep = Hindi mo ito kailangan sa website na ito. Itago ito: mababasa ng sinumang may hawak nito ang iyong rekord. Gumagana pa rin ang iyong PIN.
credential-back = Bumalik sa Settings
