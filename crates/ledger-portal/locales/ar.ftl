# The worker portal's messages in Arabic.
# Machine-assisted translation, awaiting review by native speakers.

language-name = العربية
portal-title = سجلي في الضمان الاجتماعي
skip-to-content = الانتقال إلى المحتوى

## اختيار اللغة
choose-language = اختر لغتك
choose-language-hint = يمكنك تغييرها لاحقًا من أي صفحة.

## البداية
start-heading = اشتراكاتك في كل بلد عملت فيه
start-intro = شاهد في مكان واحد الأشهر التي دفع عنها أصحاب عملك، ومجموعها وفق الاتفاقيات بين الدول.
start-sign-in = تسجيل الدخول برقمك السري
start-activate = أول مرة؟ استخدم الرمز المكتوب على ورقتك
start-verify = تحقق من كشف أعطاك إياه شخص ما

## التفعيل
activate-heading = إنشاء رقمك السري
activate-intro = أعطتك جهة الضمان الاجتماعي ورقة فيها رقم العامل ورمز لمرة واحدة. يعمل الرمز مرة واحدة فقط، حتى التاريخ المكتوب على الورقة.
field-worker-id = رقم العامل
field-worker-id-hint = ١٧ حرفًا ورقمًا، يبدأ بحرف W، كما في ورقتك
field-activation-code = رمز لمرة واحدة
field-activation-code-hint = ١٢ حرفًا ورقمًا، كما في ورقتك
field-pin = الرقم السري (PIN)
field-pin-hint = من ٦ إلى ١٢ رقمًا. لا يصح أن يكون رقمًا واحدًا مكررًا، ولا أرقامًا متتالية مثل ١٢٣٤٥٦.
field-pin-again = الرقم السري مرة أخرى
activate-submit = حفظ رقمي السري
activate-pins-differ = الرقمان السريان غير متطابقين.

## تسجيل الدخول
sign-in-heading = تسجيل الدخول
sign-in-submit = تسجيل الدخول
sign-in-activate-instead = لم تنشئ رقمًا سريًا من قبل؟ استخدم الرمز المكتوب على ورقتك.
sign-out = تسجيل الخروج
signed-out = تم تسجيل خروجك.
session-ended = انتهت جلستك. سجّل الدخول مرة أخرى.

## الأخطاء
error-heading = هناك مشكلة
error-wrong = رقم العامل أو الرمز أو الرقم السري غير صحيح. { $left ->
    [zero] لم تبقَ لك أي محاولة قبل قفل الدخول.
    [one] بقيت لك محاولة واحدة قبل قفل الدخول.
    [two] بقيت لك محاولتان قبل قفل الدخول.
    [few] بقيت لك { $left } محاولات قبل قفل الدخول.
    [many] بقيت لك { $left } محاولةً قبل قفل الدخول.
   *[other] بقيت لك { $left } محاولة قبل قفل الدخول.
}
error-wrong-no-count = رقم العامل أو الرمز أو الرقم السري غير صحيح.
error-locked = تم قفل دخولك. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي، أو من الجهة التي سجلتك، أن تعيد فتحه. وستعطيك رمزًا جديدًا.
error-expired = انتهت صلاحية هذا الرمز. اطلب رمزًا جديدًا من جهة الضمان الاجتماعي في بلدك الأصلي، أو من الجهة التي سجلتك.
error-used = هذا الرمز استُخدم من قبل. سجّل الدخول برقمك السري.
error-not-activated = لم تنشئ رقمًا سريًا بعد. استخدم الرمز المكتوب على ورقتك.
error-form = راجع ما كتبته: { $field }
error-busy = الخدمة مشغولة. انتظر قليلًا ثم حاول مرة أخرى.
error-unavailable = لا تستطيع الخدمة الرد الآن. حاول مرة أخرى لاحقًا.
error-form-expired = بقيت هذه الصفحة مفتوحة مدة طويلة. أرسلها مرة أخرى من فضلك.
not-found-heading = الصفحة غير موجودة
not-found-body = لا توجد صفحة بهذا العنوان.

## سجلها
me-heading = سجلك
me-worker-id = رقم العامل: { $id }
me-as-of = محدَّث حتى { $date }.
me-nothing-yet = لا توجد اشتراكات مسجلة لك حتى الآن.
me-country-months = { $months ->
    [zero] لا أشهر
    [one] شهر واحد
    [two] شهران
    [few] { $months } أشهر
    [many] { $months } شهرًا
   *[other] { $months } شهر
}
me-own-months = الأشهر المدفوعة في { $country }: { $months }
me-total-months = الأشهر المحسوبة هنا مع الاتفاقيات: { $months }
me-missing-months = { $months ->
    [0] لديك ما يكفي من الأشهر للاستحقاق هنا.
    [zero] لديك ما يكفي من الأشهر للاستحقاق هنا.
    [one] يلزم شهر واحد آخر للاستحقاق هنا.
    [two] يلزم شهران آخران للاستحقاق هنا.
    [few] يلزم { $months } أشهر أخرى للاستحقاق هنا.
    [many] يلزم { $months } شهرًا آخر للاستحقاق هنا.
   *[other] يلزم { $months } شهر آخر للاستحقاق هنا.
}
me-agreement-adds = الاتفاقية مع { $country } تحسب أشهرك هناك أيضًا.
me-amount-projected = المبلغ المتوقع: { $amount } شهريًا. هذا تقدير فقط، ولا يُصرف بعد.
me-amount-projected-from = المبلغ المتوقع: { $amount } شهريًا، ابتداءً من { $date }. هذا تقدير فقط، ولا يُصرف بعد.
me-amount-payable = المبلغ المستحق: { $amount } شهريًا.
me-amount-suspended = { $amount } شهريًا، موقوف ما دمت تعيش في بلد لا تُصرف إليه هذه الإعانة.
me-amount-none = لا يوجد مبلغ مستحق هنا عن هذه الأشهر.
me-no-scheme = لا يوجد في هذا البلد نظام لهذه الإعانة، لكن الأشهر تُحسب في بلدان أخرى.

## البلدان (ISO 3166-1)
country-PH = الفلبين
country-ID = إندونيسيا
country-NP = نيبال
country-MY = ماليزيا
country-SG = سنغافورة
country-HK = هونغ كونغ
country-TH = تايلاند
country-SA = المملكة العربية السعودية
country-AE = الإمارات العربية المتحدة
country-ES = إسبانيا
country-IT = إيطاليا

## الإعانات (فروع اتفاقية منظمة العمل الدولية رقم ١٠٢)
branch-old_age = معاش الشيخوخة
branch-invalidity = العجز
branch-survivors = الورثة
branch-sickness = المرض
branch-maternity = الأمومة
branch-unemployment = البطالة
branch-employment_injury = إصابة العمل
branch-health_care = الرعاية الصحية
branch-family = الأسرة

## الأشهر
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
month-year = { $month } { $year }
day-month-year = { $day } { $month } { $year }

## التنقل بين صفحاتها
nav-me = أشهري
nav-record = شهرًا بشهر
nav-claims = بلاغاتي

## سجلها، شهرًا بشهر
record-heading = سجلك، شهرًا بشهر
record-intro = كل شهر صرّح به أصحاب عملك، مع الأجر ورمز صاحب العمل، من الأحدث إلى الأقدم. الشهر الذي لم يُسجَّل فيه شيء قد يكون اشتراكًا لم يُدفع: يمكنك الإبلاغ عنه.
record-month-paid = { $month }: الأجر { $wage }، صاحب العمل { $employer }
record-month-corrected = { $month }: الأجر { $wage }، صاحب العمل { $employer } (مُصحَّح)
record-month-credited = { $month }: محسوب دون اشتراك (مثل فترة الأمومة أو البطالة)
record-month-gap = { $month }: لا يوجد شيء مسجل.
record-report-gap = الإبلاغ عن هذا الشهر الناقص
record-more = { $count ->
    [zero] كل الأشهر ظاهرة هنا.
    [one] يوجد شهر واحد أقدم لا يظهر هنا.
    [two] يوجد شهران أقدم لا يظهران هنا.
    [few] توجد { $count } أشهر أقدم لا تظهر هنا.
    [many] يوجد { $count } شهرًا أقدم لا تظهر هنا.
   *[other] يوجد { $count } شهر أقدم لا تظهر هنا.
}

## الإبلاغ عن اشتراك ناقص، سؤال واحد في كل صفحة
claim-heading = الإبلاغ عن اشتراك ناقص
claim-step = السؤال { $step } من { $steps }
claim-country-question = في أي بلد قمت بهذا العمل؟
claim-employer-question = ما رمز صاحب عملك؟
claim-employer-hint = كما هو في قسيمة راتبك أو في سجلك، مثل PH-EMP-0042. وليس اسم صاحب العمل.
claim-months-question = ما الأشهر الناقصة؟
claim-months-hint = السنة والشهر، مثل 2024-03. إذا كانت عدة أشهر، ضع مسافة بين كل شهر والآخر.
claim-kind-question = ماذا حدث؟
claim-kind-missing_contribution = لم يدفع صاحب عملي الاشتراك
claim-kind-unremitted_deduction = اقتُطع مال من أجري للاشتراك، لكنه لم يُدفع
claim-kind-unpaid_benefit = لم تُصرف لي إعانة أستحقها
claim-kind-unpaid_wages = لم يُدفع لي أجري
claim-kind-end_of_service_dues = لم تُدفع لي مكافأة نهاية الخدمة
claim-kind-recruitment_cost_from_wages = خُصمت تكاليف الاستقدام من أجري
claim-evidence-question = هل لديك قسيمة راتب أو ورقة أخرى عن ذلك؟
claim-evidence-hint = اختياري. تُحفظ بصمة الملف فقط، ولا يُحفظ الملف نفسه أبدًا: احتفظ بالورقة في مكان آمن.
claim-continue = متابعة
claim-check-heading = راجع إجاباتك قبل الإرسال
claim-check-country = البلد
claim-check-employer = رمز صاحب العمل
claim-check-months = الأشهر
claim-check-kind = ماذا حدث
claim-check-evidence = الورقة
claim-no-evidence = لا يوجد
claim-evidence-kept = البصمة { $digest }
claim-change = تغيير
claim-submit = إرسال البلاغ
claim-sent = تم إرسال بلاغك. يجب أن ترد جهة الضمان الاجتماعي في { $country } بحلول { $date }.
claim-error-country = اختر البلد.
claim-error-employer = اكتب رمز صاحب العمل: من ١ إلى ٦٤ حرفًا أو رقمًا أو علامة.
claim-error-months = اكتب كل شهر بالسنة والشهر، مثل 2024-03: من ١ إلى ١٢٠ شهرًا، وليس بينها شهر في المستقبل.
claim-error-kind = اختر ماذا حدث.
claim-error-evidence = الملف كبير جدًا: الحد الأقصى { $megabytes } ميغابايت.
claim-error-sent = لم يُقبل البلاغ: { $reason }

## بلاغاتها
claims-heading = بلاغاتك
claims-none = لم تُبلغ عن أي شيء بعد.
claims-new = الإبلاغ عن اشتراك ناقص
claims-item = { $kind }: { $country }، صاحب العمل { $employer }، { $months }
claims-filed = أُرسل في { $date }.
claims-state-open = بانتظار الرد. يجب أن ترد الجهة بحلول { $date }.
claims-state-overdue = { $days ->
    [zero] تأخر الرد: كان يجب أن ترد الجهة بحلول { $date }. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
    [one] تأخر الرد: كان يجب أن ترد الجهة بحلول { $date }، أي قبل يوم واحد. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
    [two] تأخر الرد: كان يجب أن ترد الجهة بحلول { $date }، أي قبل يومين. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
    [few] تأخر الرد: كان يجب أن ترد الجهة بحلول { $date }، أي قبل { $days } أيام. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
    [many] تأخر الرد: كان يجب أن ترد الجهة بحلول { $date }، أي قبل { $days } يومًا. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
   *[other] تأخر الرد: كان يجب أن ترد الجهة بحلول { $date }، أي قبل { $days } يوم. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
}
claims-state-upheld = مقبول: أُضيفت الأشهر الناقصة إلى سجلك.
claims-state-rejected = مرفوض. السبب المذكور: { $reason }
claims-state-appealed = قدّمت استئنافًا. يجب أن تبتّ هيئة الاستئناف في { $country } فيه بحلول { $date }.
claims-state-appeal-overdue = قدّمت استئنافًا. كان على هيئة الاستئناف في { $country } أن تبتّ فيه بحلول { $date } ولم تفعل. اطلب من جهة الضمان الاجتماعي في بلدك الأصلي أن تتابعه.
claims-state-upheld-on-appeal = مقبول في الاستئناف.
claims-state-rejected-on-appeal = مرفوض في الاستئناف. السبب المذكور: { $reason }
claims-appeal-grounds = رسالة أو أوراق جديدة لاستئنافك (يمكنك تركه فارغًا). تُرسل بصمة الملف فقط، ويبقى الملف معك.
claims-appeal = استأنف هذا الرد
claims-appeal-sent = أُرسل استئنافك. يجب البتّ فيه بحلول { $date }.
claims-appeal-refused = لم يُقبل الاستئناف: { $reason }

## الورقة التي تطبعها الجهة عند التسجيل
slip-heading = سجلك في الضمان الاجتماعي: كيف تفتحه
slip-worker-id = رقم العامل: { $id }
slip-code = رمز لمرة واحدة: { $code }
slip-valid-until = يعمل الرمز مرة واحدة فقط، حتى { $date }.
slip-open = افتح هذا العنوان على هاتفك، أو امسح المربع:
slip-private = احتفظ بهذه الورقة لنفسك. ستختار رقمًا سريًا (PIN)؛ لا تحتاج إليه الجهة ولا صاحب العمل.

## كشف سجلك
nav-statement = كشفي
statement-heading = كشف سجلك
statement-intro = ملف فيه كل حدث في سجلك، ومع كل حدث دليل على أنه في السجل كما وقّعه النظام. تستطيع أي جهة أن تتحقق منه دون أن تثق بهذا الموقع.
statement-download = تنزيل كشفي
statement-count = { $count ->
    [zero] { $count } حدث، مثبتة مقابل الحالة الموقّعة للنظام، وعدد الأحداث فيها { $size }.
    [one] حدث واحد، مثبت مقابل الحالة الموقّعة للنظام، وعدد الأحداث فيها { $size }.
    [two] حدثان ({ $count })، مثبتان مقابل الحالة الموقّعة للنظام، وعدد الأحداث فيها { $size }.
    [few] { $count } أحداث، مثبتة مقابل الحالة الموقّعة للنظام، وعدد الأحداث فيها { $size }.
    [many] { $count } حدثًا، مثبتة مقابل الحالة الموقّعة للنظام، وعدد الأحداث فيها { $size }.
   *[other] { $count } حدث، مثبتة مقابل الحالة الموقّعة للنظام، وعدد الأحداث فيها { $size }.
}

## الإعدادات
nav-settings = الإعدادات
settings-heading = الإعدادات
settings-language = اللغة: { $language }
settings-change-language = تغيير اللغة
settings-sign-out-everywhere = تسجيل الخروج من كل الهواتف
settings-sign-out-everywhere-hint = استخدم هذا إذا سجّلت الدخول على هاتف لم يعد معك، أو يستخدمه غيرك.
settings-signed-out-everywhere = تم تسجيل خروجك من كل الهواتف.

## طباعة الكشف
statement-print = اطبع سجلي مع رمز التحقق
print-heading = سجل الحماية الاجتماعية
print-worker = رقم العامل: { $worker }
print-hint = استخدم أمر الطباعة في متصفحك. سلّم ملف الكشف مع الورقة: يتيح الرمز المربع لأي شخص التحقق منه.
print-check-heading = تحقق من أن هذا السجل أصلي
print-check = امسح الرمز المربع أو افتح هذا العنوان، ثم اختر ملف الكشف الذي يعطيك إياه العامل. يجري التحقق على هاتفك ولا يرسل شيئًا.
print-qr-label = رمز مربع فيه عنوان صفحة التحقق
print-signed = طُبع في { $date }، من سجل النظام الذي يضم { $size } حدثًا، موقّعًا بالجذر { $root }.

## التحقق من كشف (/verify)
verify-heading = تحقق من كشف
verify-intro = يستطيع أي شخص أن يتحقق هنا من كشف عامل. يتحقق متصفحك من كل قيد مقابل توقيع النظام. لا يغادر الملف هذا الهاتف.
verify-no-script = يجري هذا التحقق في متصفحك ويحتاج إلى JavaScript. من دونه، يجري الأمر "ledger statement verify" التحقق نفسه.
verify-choose = اختر ملف الكشف
verify-key-heading = المفتاح الذي تتحقق به هذه الصفحة
verify-key-hint = هذا مفتاح التحقق العام للنظام. تستطيع أي جهة مقارنته بالمفتاح الذي نشره مشغّل النظام.
verify-working = جارٍ التحقق…
verify-expected = السجل المطبوع للعامل { $worker }.
verify-ok = أصلي. العامل { $worker }. القيود التي جرى التحقق منها: { $count }. كان سجل النظام يضم { $size } حدثًا عندما وقّعها.
verify-cosigned = وقّعه أيضًا { $count } من أصل { $total } من نسخ النظام التي تعرفها هذه الصفحة.
verify-failed = غير أصلي. لا تعتمد على هذا الملف.
verify-error-file = هذا ليس ملف كشف.
verify-error-large = هذا الملف أكبر من أن يكون كشفًا.
verify-error-key = المفتاح المضمّن في هذه الصفحة غير صالح.
verify-error-checkpoint = توقيع النظام على هذا الكشف غير صحيح.
verify-error-record = القيد { $seq } تالف، أو لا يخص هذا العامل.
verify-error-proof = جرى تغيير القيد { $seq }: ليس هو القيد الموجود في سجل النظام.
verify-error-empty = لا يحتوي الكشف على أي قيد.
verify-error-worker = هذا الكشف للعامل { $found }، وليس للعامل { $expected }.
verify-contributions = الاشتراكات في الكشف
verify-columns = الشهر | البلد | الأجر المؤمَّن عليه
verify-reversed = ملغى

## مفاتيح المرور
sign-in-passkey-or = أو، على هاتف أضفت إليه مفتاح مرور، اكتب رقم العامل أعلاه ثم:
sign-in-passkey = الدخول بمفتاح مرور
sign-in-passkey-failed = لم يُدخلك مفتاح المرور. حاول مرة أخرى، أو استخدم رقمك السري.
error-no-passkey = ليس لديك مفتاح مرور بعد. ادخل برقمك السري؛ يمكنك إضافة مفتاح من الإعدادات.
settings-passkey-heading = مفتاح مرور على هذا الهاتف
settings-passkey-hint = فقط إذا كان هذا الهاتف لك وحدك: سيفتح قفل الهاتف (البصمة أو الوجه أو قفل الشاشة) سجلك دون رقمك السري. ويستطيع أي شخص يفتح قفل هذا الهاتف أن يفتحه أيضًا.
settings-passkey-pin = رقمك السري، للتأكد من أنك أنت
settings-passkey-add = أضف مفتاح مرور
settings-passkey-added = أُضيف مفتاح المرور. يمكنك الدخول به على هذا الهاتف.
settings-passkey-failed = لم يُضف مفتاح المرور. حاول مرة أخرى، أو استمر في استخدام رقمك السري.

## بيانات اعتمادها
settings-credential-heading = بيانات الاعتماد في ورقة تسجيلك
settings-credential-hint = أعطتك الوكالة بيانات اعتماد طويلة عند تسجيلك. لا تحتاج إليها هنا. إذا كان من الممكن أن تكون مع شخص آخر (كأن يحتفظ صاحب العمل بالورقة)، فاستبدلها: تتوقف القديمة عن العمل فورًا.
settings-credential-replace = استبدل بيانات اعتمادي
settings-trust-heading = المنظمات التي تأتمنها على بلاغاتك
settings-trust-hint = يمكن لنقابة أو لمنظمة للعمال المهاجرين أن تقدّم بلاغاتك وتتابعها نيابةً عنك بعد أن تمنحها موافقتك. لا ترى أبدًا اشتراكاتك ولا بياناتك الشخصية. يمكنك سحب موافقتك في أي وقت.
settings-trust-none = لم تمنح موافقتك لأي منظمة.
settings-trust-entry = { $organisation }، مسجّلة في { $country }
settings-trust-revoke = اسحب موافقتي
settings-trust-give-label = معرّف المنظمة (تعطيك إياه المنظمة)
settings-trust-give = امنح موافقتي
settings-trust-given = سُجّلت موافقتك. يمكن للمنظمة الآن أن تقدّم بلاغاتك وتتابعها.
settings-trust-taken-back = سُحبت موافقتك. لم يعد بإمكان المنظمة أن تقدّم بلاغاتك أو تتابعها.
settings-trust-unknown = لا توجد منظمة مسجّلة بهذا المعرّف. تحقّق من المعرّف مع المنظمة.
credential-heading = بيانات اعتمادك الجديدة
credential-replaced = لم تعد بيانات اعتمادك القديمة تعمل. هذه هي الجديدة، وتُعرض هذه المرة فقط:
credential-keep = لا تحتاج إليها في هذا الموقع. احتفظ بها سرًا: من يملكها يستطيع قراءة سجلك. رقمك السري ما زال يعمل.
credential-back = العودة إلى الإعدادات
