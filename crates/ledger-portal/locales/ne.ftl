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
