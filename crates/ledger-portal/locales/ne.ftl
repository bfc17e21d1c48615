# The worker portal's messages in Nepali.
# Machine-assisted translation, awaiting review by native speakers.

language-name = नेपाली
portal-title = मेरो सामाजिक सुरक्षाको विवरण
skip-to-content = मुख्य भागमा जानुहोस्

## भाषा छान्ने
choose-language = आफ्नो भाषा छान्नुहोस्
choose-language-hint = तपाईं यसलाई पछि जुनसुकै पेजमा बदल्न सक्नुहुन्छ।

## सुरु
start-heading = तपाईंले काम गरेका हरेक देशमा तपाईंको योगदान
start-intro = तपाईंका रोजगारदाताले रकम तिरेका महिना एकै ठाउँमा हेर्नुहोस्, र देशहरूबीचको सम्झौताअनुसार ती जम्मा कति हुन्छन्, त्यो पनि हेर्नुहोस्।
start-sign-in = आफ्नो PIN राखेर लग इन गर्नुहोस्
start-activate = पहिलो पटक? आफ्नो पर्चीमा भएको कोड प्रयोग गर्नुहोस्
start-verify = कसैले दिएको विवरण जाँच्नुहोस्

## सक्रिय गर्ने
activate-heading = आफ्नो PIN बनाउनुहोस्
activate-intro = सामाजिक सुरक्षा कार्यालयले तपाईंलाई कामदार नम्बर र एक पटकको कोड भएको पर्ची दिएको छ। यो कोड पर्चीमा लेखिएको मितिसम्म, एक पटक मात्र चल्छ।
field-worker-id = कामदार नम्बर
field-worker-id-hint = १७ अक्षर र अङ्क, W बाट सुरु हुने, पर्चीमा जस्तै
field-activation-code = एक पटकको कोड
field-activation-code-hint = १२ अक्षर र अङ्क, पर्चीमा जस्तै
field-pin = PIN
field-pin-hint = ६ देखि १२ अङ्क। एउटै अङ्क मात्र दोहोर्‍याउन मिल्दैन, र १२३४५६ जस्ता लगातारका अङ्क पनि मिल्दैन।
field-pin-again = आफ्नो PIN फेरि लेख्नुहोस्
activate-submit = मेरो PIN बनाउनुहोस्
activate-pins-differ = दुवै PIN मिलेनन्।

## लग इन
sign-in-heading = लग इन
sign-in-submit = लग इन गर्नुहोस्
sign-in-activate-instead = कहिल्यै PIN बनाउनुभएको छैन? पर्चीमा भएको कोड प्रयोग गर्नुहोस्।
sign-out = लग आउट
signed-out = तपाईं लग आउट हुनुभयो।
session-ended = तपाईंको लग इनको समय सकियो। फेरि लग इन गर्नुहोस्।

## त्रुटि
error-heading = एउटा समस्या छ
error-wrong = कामदार नम्बर, कोड वा PIN मिलेन। { $left ->
    [one] लक हुनुअघि अब { $left } पटक मात्र प्रयास गर्न सक्नुहुन्छ।
   *[other] लक हुनुअघि अब { $left } पटक मात्र प्रयास गर्न सक्नुहुन्छ।
}
error-wrong-no-count = कामदार नम्बर, कोड वा PIN मिलेन।
error-locked = तपाईंको पहुँच लक भएको छ। यसलाई खोल्न आफ्नै देशको सामाजिक सुरक्षा कार्यालय, वा तपाईंलाई दर्ता गर्ने कार्यालयलाई भन्नुहोस्। उनीहरूले तपाईंलाई नयाँ कोड दिनेछन्।
error-expired = यो कोडको म्याद सकियो। आफ्नै देशको सामाजिक सुरक्षा कार्यालय, वा तपाईंलाई दर्ता गर्ने कार्यालयसँग नयाँ कोड माग्नुहोस्।
error-used = यो कोड पहिले नै प्रयोग भइसकेको छ। आफ्नो PIN राखेर लग इन गर्नुहोस्।
error-not-activated = तपाईंले अहिलेसम्म PIN बनाउनुभएको छैन। पर्चीमा भएको कोड प्रयोग गर्नुहोस्।
error-form = तपाईंले लेखेको कुरा जाँच्नुहोस्: { $field }
error-busy = सेवा अहिले व्यस्त छ। केही बेर पर्खेर फेरि प्रयास गर्नुहोस्।
error-unavailable = सेवाले अहिले जवाफ दिन सकेन। पछि फेरि प्रयास गर्नुहोस्।
error-form-expired = यो पेज धेरै बेर खुला रह्यो। कृपया फेरि पठाउनुहोस्।
not-found-heading = पेज भेटिएन
not-found-body = यो ठेगानामा कुनै पेज छैन।

## उनको विवरण
me-heading = तपाईंको विवरण
me-worker-id = कामदार नम्बर: { $id }
me-as-of = { $date } सम्मको विवरण।
me-nothing-yet = तपाईंको नाममा अहिलेसम्म कुनै योगदान दर्ता भएको छैन।
me-country-months = { $months ->
    [one] { $months } महिना
   *[other] { $months } महिना
}
me-own-months = { $country }मा तिरिएका महिना: { $months }
me-total-months = सम्झौताअनुसार यहाँ गनिने महिना: { $months }
me-missing-months = { $months ->
    [0] यहाँ सुविधा पाउन तपाईंसँग पुग्ने महिना छन्।
    [one] यहाँ सुविधा पाउन अझै { $months } महिना चाहिन्छ।
   *[other] यहाँ सुविधा पाउन अझै { $months } महिना चाहिन्छ।
}
me-agreement-adds = { $country }सँगको सम्झौताले त्यहाँका महिना पनि जोड्छ।
me-amount-projected = अनुमानित रकम: महिनाको { $amount }। यो अनुमान मात्र हो, अहिले पाइँदैन।
me-amount-projected-from = अनुमानित रकम: { $date } देखि महिनाको { $amount }। यो अनुमान मात्र हो, अहिले पाइँदैन।
me-amount-payable = पाउने रकम: महिनाको { $amount }।
me-amount-suspended = महिनाको { $amount }, तर यो सुविधा नपाइने देशमा बस्दासम्म रोकिएको छ।
me-amount-none = यी महिनाका लागि यहाँ कुनै रकम पाइँदैन।
me-no-scheme = यो देशमा यो सुविधाको कुनै योजना छैन, तर यी महिना अरू देशमा गनिन्छन्।

## देशहरू (ISO 3166-1)
country-PH = फिलिपिन्स
country-ID = इन्डोनेसिया
country-NP = नेपाल
country-MY = मलेसिया
country-SG = सिङ्गापुर
country-HK = हङकङ
country-TH = थाइल्यान्ड
country-SA = साउदी अरब
country-AE = संयुक्त अरब इमिरेट्स
country-ES = स्पेन
country-IT = इटाली

## सुविधाहरू (ILO C102 शाखाहरू)
branch-old_age = वृद्धावस्था पेन्सन
branch-invalidity = अशक्तता
branch-survivors = आश्रित परिवार
branch-sickness = बिरामी
branch-maternity = मातृत्व
branch-unemployment = बेरोजगारी
branch-employment_injury = कामको क्रममा चोटपटक
branch-health_care = स्वास्थ्य उपचार
branch-family = परिवार

## महिनाहरू
month-1 = जनवरी
month-2 = फेब्रुअरी
month-3 = मार्च
month-4 = अप्रिल
month-5 = मे
month-6 = जुन
month-7 = जुलाई
month-8 = अगस्ट
month-9 = सेप्टेम्बर
month-10 = अक्टोबर
month-11 = नोभेम्बर
month-12 = डिसेम्बर
month-year = { $month } { $year }
day-month-year = { $day } { $month } { $year }

## उनका पेजहरूबीच जाने
nav-me = मेरा महिना
nav-record = महिनाअनुसार
nav-claims = मेरा उजुरी

## उनको विवरण, महिनाअनुसार
record-heading = तपाईंको विवरण, महिनाअनुसार
record-intro = तपाईंका रोजगारदाताले दर्ता गराएका हरेक महिना, तलब र रोजगारदाताको कोडसहित, पछिल्लो महिनादेखि। केही पनि दर्ता नभएको महिना नतिरिएको योगदान हुन सक्छ: तपाईं त्यसको उजुरी गर्न सक्नुहुन्छ।
record-month-paid = { $month }: तलब { $wage }, रोजगारदाता { $employer }
record-month-corrected = { $month }: तलब { $wage }, रोजगारदाता { $employer } (सच्याइएको)
record-month-credited = { $month }: योगदान बिना नै गनिएको (जस्तै मातृत्व वा बेरोजगारीको बेला)
record-month-gap = { $month }: केही पनि दर्ता छैन।
record-report-gap = यो महिना छुटेको भनी उजुरी गर्नुहोस्
record-more = { $count ->
    [one] { $count } पुरानो महिना यहाँ देखाइएको छैन।
   *[other] { $count } पुराना महिना यहाँ देखाइएका छैनन्।
}

## छुटेको योगदानको उजुरी, एउटा पेजमा एउटा प्रश्न
claim-heading = छुटेको योगदानको उजुरी गर्नुहोस्
claim-step = { $steps } मध्ये प्रश्न { $step }
claim-country-question = तपाईंले यो काम कुन देशमा गर्नुभयो?
claim-employer-question = तपाईंको रोजगारदाताको कोड के हो?
claim-employer-hint = तलबको पर्ची वा तपाईंको विवरणमा लेखिएको, उदाहरणका लागि PH-EMP-0042। रोजगारदाताको नाम होइन।
claim-months-question = कुन कुन महिना छुटेका छन्?
claim-months-hint = वर्ष र महिना, 2024-03 जस्तै। धेरै महिना भए, बीचमा खाली ठाउँ राख्नुहोस्।
claim-kind-question = के भयो?
claim-kind-missing_contribution = मेरो रोजगारदाताले योगदान तिरेनन्
claim-kind-unremitted_deduction = यसका लागि मेरो तलबबाट पैसा काटियो, तर जम्मा गरिएन
claim-kind-unpaid_benefit = मैले पाउनुपर्ने सुविधाको रकम पाइनँ
claim-kind-unpaid_wages = मेरो तलब दिइएन
claim-kind-end_of_service_dues = काम सकिँदा पाउनुपर्ने रकम दिइएन
claim-kind-recruitment_cost_from_wages = भर्ती खर्च मेरो तलबबाट काटियो
claim-evidence-question = यसबारे तपाईंसँग तलबको पर्ची वा अरू कुनै कागज छ?
claim-evidence-hint = नहाले पनि हुन्छ। फाइलको डिजिटल छाप मात्र राखिन्छ, फाइल आफैं कहिल्यै राखिँदैन: कागज सुरक्षित राख्नुहोस्।
claim-continue = अगाडि बढ्नुहोस्
claim-check-heading = पठाउनुअघि आफ्ना जवाफ जाँच्नुहोस्
claim-check-country = देश
claim-check-employer = रोजगारदाताको कोड
claim-check-months = महिना
claim-check-kind = के भयो
claim-check-evidence = कागज
claim-no-evidence = छैन
claim-evidence-kept = डिजिटल छाप { $digest }
claim-change = बदल्नुहोस्
claim-submit = उजुरी पठाउनुहोस्
claim-sent = तपाईंको उजुरी पठाइयो। { $country }को सामाजिक सुरक्षा कार्यालयले { $date } भित्र जवाफ दिनुपर्छ।
claim-error-country = देश छान्नुहोस्।
claim-error-employer = रोजगारदाताको कोड लेख्नुहोस्: १ देखि ६४ वटा अक्षर, अङ्क वा चिह्न।
claim-error-months = हरेक महिना वर्ष र महिनामा लेख्नुहोस्, 2024-03 जस्तै: १ देखि १२० महिनासम्म, भविष्यको कुनै महिना होइन।
claim-error-kind = के भयो, छान्नुहोस्।
claim-error-evidence = फाइल धेरै ठूलो भयो: बढीमा { $megabytes } MB मात्र।
claim-error-sent = उजुरी स्वीकार भएन: { $reason }

## उनका उजुरी
claims-heading = तपाईंका उजुरी
claims-none = तपाईंले अहिलेसम्म कुनै उजुरी गर्नुभएको छैन।
claims-new = छुटेको योगदानको उजुरी गर्नुहोस्
claims-item = { $kind }: { $country }, रोजगारदाता { $employer }, { $months }
claims-filed = { $date } मा पठाइएको।
claims-state-open = जवाफको प्रतीक्षामा। कार्यालयले { $date } भित्र जवाफ दिनुपर्छ।
claims-state-overdue = { $days ->
    [one] ढिला भयो: कार्यालयले { $date } भित्र जवाफ दिनुपर्थ्यो, { $days } दिन अघि। आफ्नै देशको सामाजिक सुरक्षा कार्यालयलाई यसबारे बुझिदिन भन्नुहोस्।
   *[other] ढिला भयो: कार्यालयले { $date } भित्र जवाफ दिनुपर्थ्यो, { $days } दिन अघि। आफ्नै देशको सामाजिक सुरक्षा कार्यालयलाई यसबारे बुझिदिन भन्नुहोस्।
}
claims-state-upheld = स्वीकार भयो: छुटेका महिना तपाईंको विवरणमा थपिए।
claims-state-rejected = अस्वीकार भयो। दिइएको कारण: { $reason }
claims-state-appealed = तपाईंले पुनरावेदन गर्नुभयो। { $country } को पुनरावेदन निकायले { $date } सम्म निर्णय गर्नुपर्छ।
claims-state-appeal-overdue = तपाईंले पुनरावेदन गर्नुभयो। { $country } को पुनरावेदन निकायले { $date } सम्म निर्णय गर्नुपर्थ्यो, तर गरेको छैन। आफ्नो देशको निकायलाई यसको पछि लाग्न भन्नुहोस्।
claims-state-upheld-on-appeal = पुनरावेदनमा स्वीकृत भयो।
claims-state-rejected-on-appeal = पुनरावेदनमा अस्वीकार भयो। दिइएको कारण: { $reason }
claims-appeal-grounds = तपाईंको पुनरावेदनका लागि पत्र वा नयाँ कागजात (खाली छोड्न सक्नुहुन्छ)। फाइलको औंठाछाप मात्र पठाइन्छ; फाइल तपाईंसँगै रहन्छ।
claims-appeal = यो जवाफमाथि पुनरावेदन गर्नुहोस्
claims-appeal-sent = तपाईंको पुनरावेदन पठाइयो। { $date } सम्म निर्णय हुनुपर्छ।
claims-appeal-refused = पुनरावेदन स्वीकार भएन: { $reason }

## दर्ता गर्दा कार्यालयले छापेर दिने पर्ची
slip-heading = तपाईंको सामाजिक सुरक्षाको विवरण: कसरी खोल्ने
slip-worker-id = कामदार नम्बर: { $id }
slip-code = एक पटकको कोड: { $code }
slip-valid-until = यो कोड { $date } सम्म, एक पटक मात्र चल्छ।
slip-open = आफ्नो फोनमा यो ठेगाना खोल्नुहोस्, वा यो वर्ग स्क्यान गर्नुहोस्:
slip-private = यो पर्ची आफैंसँग राख्नुहोस्। तपाईं आफ्नो PIN आफैं छान्नुहुनेछ; कार्यालय वा रोजगारदातालाई यो चाहिँदैन।

## तपाईंको विवरणपत्र
nav-statement = मेरो विवरणपत्र
statement-heading = तपाईंको विवरणपत्र
statement-intro = तपाईंको विवरणका सबै घटनाहरू भएको एउटा फाइल, हरेकसँग यो लगमा छ भन्ने प्रमाण, जसरी प्रणालीले हस्ताक्षर गरेको छ। कुनै पनि संस्थाले यो वेबसाइटमा भर नपरी यसलाई जाँच्न सक्छ।
statement-download = मेरो विवरणपत्र डाउनलोड गर्नुहोस्
statement-count = { $count ->
    [one] { $count } घटना, { $size } घटनाको हस्ताक्षर गरिएको अवस्थासँग प्रमाणित।
   *[other] { $count } घटनाहरू, { $size } घटनाको हस्ताक्षर गरिएको अवस्थासँग प्रमाणित।
}

## सेटिङ
nav-settings = सेटिङ
settings-heading = सेटिङ
settings-language = भाषा: { $language }
settings-change-language = भाषा बदल्नुहोस्
settings-sign-out-everywhere = सबै फोनबाट लग आउट गर्नुहोस्
settings-sign-out-everywhere-hint = अब तपाईंसँग नभएको, वा अरूले पनि चलाउने फोनमा लग इन गर्नुभएको छ भने यो प्रयोग गर्नुहोस्।
settings-signed-out-everywhere = तपाईं सबै फोनबाट लग आउट हुनुभयो।

## विवरणपत्र छाप्ने
statement-print = मेरो विवरण जाँच कोडसहित छाप्नुहोस्
print-heading = सामाजिक सुरक्षा विवरण
print-worker = कामदार नम्बर: { $worker }
print-hint = आफ्नो ब्राउजरको Print आदेश प्रयोग गर्नुहोस्। कागजसँगै विवरणपत्रको फाइल पनि दिनुहोस्: वर्ग कोडले जो कोहीलाई पनि यसलाई जाँच्न दिन्छ।
print-check-heading = यो विवरण साँचो हो कि होइन जाँच्नुहोस्
print-check = वर्ग कोड स्क्यान गर्नुहोस् वा यो ठेगाना खोल्नुहोस्, अनि कामदारले दिएको विवरणपत्रको फाइल छान्नुहोस्। जाँच तपाईंकै फोनमा हुन्छ र केही पनि पठाउँदैन।
print-qr-label = जाँच पृष्ठको ठेगाना भएको वर्ग कोड
print-signed = { $date } मा छापिएको, { $size } घटना भएको प्रणालीको लगबाट, मूल { $root } सहित हस्ताक्षर गरिएको।

## विवरणपत्र जाँच्ने (/verify)
verify-heading = विवरणपत्र जाँच्नुहोस्
verify-intro = जो कोहीले पनि यहाँ कामदारको विवरणपत्र जाँच्न सक्छ। तपाईंको ब्राउजरले हरेक अभिलेखलाई प्रणालीको हस्ताक्षरसँग जाँच्छ। फाइल यो फोनबाट बाहिर जाँदैन।
verify-no-script = यो जाँच तपाईंको ब्राउजरमा चल्छ र यसलाई JavaScript चाहिन्छ। त्यो नभए "ledger statement verify" आदेशले उही जाँच गर्छ।
verify-choose = विवरणपत्रको फाइल छान्नुहोस्
verify-key-heading = यो पृष्ठले जाँच्न प्रयोग गर्ने कुञ्जी
verify-key-hint = यो प्रणालीको सार्वजनिक प्रमाणीकरण कुञ्जी हो। कुनै संस्थाले यसलाई प्रणाली सञ्चालकले प्रकाशित गरेको कुञ्जीसँग दाँज्न सक्छ।
verify-working = जाँच्दै…
verify-expected = छापिएको विवरण कामदार { $worker } को हो।
verify-ok = साँचो। कामदार { $worker }। जाँचिएका अभिलेख: { $count }। हस्ताक्षर गर्दा प्रणालीको लगमा { $size } घटना थिए।
verify-cosigned = यो पृष्ठले चिनेका प्रणालीका { $total } प्रतिलिपिमध्ये { $count } ले पनि सह-हस्ताक्षर गरेका छन्।
verify-failed = साँचो होइन। यो फाइलमा भर नपर्नुहोस्।
verify-error-file = यो विवरणपत्रको फाइल होइन।
verify-error-large = यो फाइल विवरणपत्र हुन धेरै ठूलो छ।
verify-error-key = यो पृष्ठमा राखिएको कुञ्जी मान्य छैन।
verify-error-checkpoint = यो विवरणपत्रमा प्रणालीको हस्ताक्षर मिलेन।
verify-error-record = अभिलेख { $seq } बिग्रिएको छ, वा यो कामदारको होइन।
verify-error-proof = अभिलेख { $seq } बदलिएको छ: यो प्रणालीको लगमा भएको अभिलेख होइन।
verify-error-empty = विवरणपत्रमा कुनै अभिलेख छैन।
verify-error-worker = यो विवरणपत्र कामदार { $found } को हो, { $expected } को होइन।
verify-contributions = विवरणपत्रमा भएका योगदानहरू
verify-columns = महिना | देश | बीमा गरिएको तलब
verify-reversed = रद्द गरिएको

## पासकी
sign-in-passkey-or = वा, पासकी थपेको फोनमा, माथि आफ्नो कामदार नम्बर लेख्नुहोस् र:
sign-in-passkey = पासकीबाट भित्र जानुहोस्
sign-in-passkey-failed = पासकीले तपाईंलाई भित्र लान सकेन। फेरि प्रयास गर्नुहोस्, वा आफ्नो PIN प्रयोग गर्नुहोस्।
error-no-passkey = तपाईंसँग अझै पासकी छैन। आफ्नो PIN बाट भित्र जानुहोस्; सेटिङमा पासकी थप्न सक्नुहुन्छ।
settings-passkey-heading = यो फोनमा पासकी
settings-passkey-hint = यो फोन तपाईंको मात्र हो भने: फोनको लक (औँठाछाप, अनुहार वा स्क्रिन लक) ले PIN बिना तपाईंको विवरण खोल्नेछ। यो फोन खोल्न सक्ने जो कोहीले पनि यसलाई खोल्न सक्नेछ।
settings-passkey-pin = तपाईं नै हो भनी पुष्टि गर्न आफ्नो PIN
settings-passkey-add = पासकी थप्नुहोस्
settings-passkey-added = तपाईंको पासकी थपियो। यो फोनमा तपाईं यसबाट भित्र जान सक्नुहुन्छ।
settings-passkey-failed = पासकी थपिएन। फेरि प्रयास गर्नुहोस्, वा आफ्नो PIN नै प्रयोग गरिरहनुहोस्।

## उनको प्रमाणपत्र
settings-credential-heading = तपाईंको दर्ता कागजमा भएको प्रमाणपत्र
settings-credential-hint = दर्ता हुँदा तपाईंको एजेन्सीले एउटा लामो प्रमाणपत्र दिएको थियो। यहाँ त्यसको आवश्यकता छैन। अरू कसैसँग त्यो हुन सक्छ भने (जस्तै रोजगारदाताले कागज राखेको छ भने), त्यसलाई बदल्नुहोस्: पुरानो तुरुन्तै काम गर्न छोड्छ।
settings-credential-replace = मेरो प्रमाणपत्र बदल्नुहोस्
settings-trust-heading = तपाईंका उजुरीका लागि तपाईंले विश्वास गर्ने संस्थाहरू
settings-trust-hint = तपाईंले सहमति दिएपछि ट्रेड युनियन वा आप्रवासी कामदारहरूको संस्थाले तपाईंको तर्फबाट उजुरी दर्ता गर्न र त्यसको अनुगमन गर्न सक्छ। त्यसले तपाईंको योगदान वा व्यक्तिगत विवरण कहिल्यै देख्दैन। तपाईं जुनसुकै बेला आफ्नो सहमति फिर्ता लिन सक्नुहुन्छ।
settings-trust-none = तपाईंले कुनै पनि संस्थालाई सहमति दिनुभएको छैन।
settings-trust-entry = { $organisation }, { $country } मा दर्ता भएको
settings-trust-revoke = मेरो सहमति फिर्ता लिनुहोस्
settings-trust-give-label = संस्थाको पहिचान (संस्थाले तपाईंलाई दिन्छ)
settings-trust-give = मेरो सहमति दिनुहोस्
settings-trust-given = तपाईंको सहमति अभिलेख भयो। अब संस्थाले तपाईंका उजुरी दर्ता गर्न र अनुगमन गर्न सक्छ।
settings-trust-taken-back = तपाईंको सहमति फिर्ता लिइयो। अब संस्थाले तपाईंका उजुरी दर्ता गर्न वा अनुगमन गर्न सक्दैन।
settings-trust-unknown = यो पहिचान भएको कुनै संस्था दर्ता छैन। संस्थासँग पहिचान जाँच गर्नुहोस्।
credential-heading = तपाईंको नयाँ प्रमाणपत्र
credential-replaced = तपाईंको पुरानो प्रमाणपत्रले अब काम गर्दैन। नयाँ यो हो, यो एक पटक मात्र देखाइन्छ:
credential-keep = यो वेबसाइटमा तपाईंलाई यसको आवश्यकता छैन। यसलाई गोप्य राख्नुहोस्: यो जोसँग हुन्छ उसले तपाईंको विवरण पढ्न सक्छ। तपाईंको PIN अझै काम गर्छ।
credential-back = सेटिङमा फर्कनुहोस्
