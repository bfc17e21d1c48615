# The worker portal's messages in Thai.
# Machine-assisted translation, awaiting review by native speakers.

language-name = ไทย
portal-title = ข้อมูลประกันสังคมของฉัน
skip-to-content = ข้ามไปที่เนื้อหา

## เลือกภาษา
choose-language = เลือกภาษาของคุณ
choose-language-hint = คุณเปลี่ยนภาษาได้ภายหลังในทุกหน้า

## เริ่มต้น
start-heading = เงินสมทบของคุณ ในทุกประเทศที่คุณเคยทำงาน
start-intro = ดูเดือนที่นายจ้างจ่ายเงินสมทบให้คุณได้ในที่เดียว และดูว่ารวมแล้วนับได้เท่าไรตามข้อตกลงระหว่างประเทศ
start-sign-in = เข้าสู่ระบบด้วย PIN ของคุณ
start-activate = ใช้ครั้งแรก? ใช้รหัสบนสลิปของคุณ
start-verify = ตรวจสอบใบแจ้งยอดที่มีคนให้คุณมา

## เปิดใช้งาน
activate-heading = ตั้ง PIN ของคุณ
activate-intro = หน่วยงานประกันสังคมให้สลิปแก่คุณ ในสลิปมีหมายเลขคนงานและรหัสใช้ครั้งเดียว รหัสนี้ใช้ได้ครั้งเดียว และใช้ได้ถึงวันที่ที่เขียนไว้บนสลิป
field-worker-id = หมายเลขคนงาน
field-worker-id-hint = ตัวอักษรและตัวเลข 17 ตัว ขึ้นต้นด้วย W ตามที่อยู่บนสลิป
field-activation-code = รหัสใช้ครั้งเดียว
field-activation-code-hint = ตัวอักษรและตัวเลข 12 ตัว ตามที่อยู่บนสลิป
field-pin = PIN
field-pin-hint = ตัวเลข 6 ถึง 12 หลัก ห้ามใช้เลขเดียวซ้ำกันทั้งหมด และห้ามใช้เลขเรียงกัน เช่น 123456
field-pin-again = ใส่ PIN อีกครั้ง
activate-submit = ตั้ง PIN ของฉัน
activate-pins-differ = PIN ทั้งสองไม่ตรงกัน

## เข้าสู่ระบบ
sign-in-heading = เข้าสู่ระบบ
sign-in-submit = เข้าสู่ระบบ
sign-in-activate-instead = ยังไม่เคยตั้ง PIN? ใช้รหัสบนสลิปของคุณ
sign-out = ออกจากระบบ
signed-out = คุณออกจากระบบแล้ว
session-ended = หมดเวลาใช้งานแล้ว กรุณาเข้าสู่ระบบอีกครั้ง

## ข้อผิดพลาด
error-heading = เกิดปัญหา
error-wrong = หมายเลขคนงาน รหัส หรือ PIN ไม่ถูกต้อง { $left ->
   *[other] คุณลองได้อีก { $left } ครั้งก่อนถูกล็อก
}
error-wrong-no-count = หมายเลขคนงาน รหัส หรือ PIN ไม่ถูกต้อง
error-locked = การเข้าใช้ของคุณถูกล็อก กรุณาติดต่อหน่วยงานประกันสังคมในประเทศบ้านเกิดของคุณ หรือหน่วยงานที่ลงทะเบียนให้คุณ เพื่อปลดล็อก แล้วคุณจะได้รหัสใหม่
error-expired = รหัสนี้หมดอายุแล้ว ขอรหัสใหม่ได้จากหน่วยงานประกันสังคมในประเทศบ้านเกิดของคุณ หรือหน่วยงานที่ลงทะเบียนให้คุณ
error-used = รหัสนี้ถูกใช้ไปแล้ว กรุณาเข้าสู่ระบบด้วย PIN ของคุณ
error-not-activated = คุณยังไม่ได้ตั้ง PIN ใช้รหัสบนสลิปของคุณ
error-form = ตรวจสอบสิ่งที่คุณพิมพ์: { $field }
error-busy = ระบบไม่ว่าง รอสักครู่แล้วลองอีกครั้ง
error-unavailable = ระบบตอบไม่ได้ในตอนนี้ ลองใหม่ภายหลัง
error-form-expired = หน้านี้เปิดไว้นานเกินไป กรุณาส่งอีกครั้ง
not-found-heading = ไม่พบหน้านี้
not-found-body = ที่อยู่นี้ไม่มีหน้าเว็บ

## ข้อมูลของเธอ
me-heading = ข้อมูลของคุณ
me-worker-id = หมายเลขคนงาน: { $id }
me-as-of = ข้อมูลล่าสุด ณ วันที่ { $date }
me-nothing-yet = ยังไม่มีเงินสมทบที่บันทึกไว้สำหรับคุณ
me-country-months = { $months ->
   *[other] { $months } เดือน
}
me-own-months = เดือนที่จ่ายเงินสมทบใน{ $country }: { $months }
me-total-months = เดือนที่นับได้ที่นี่ตามข้อตกลง: { $months }
me-missing-months = { $months ->
    [0] คุณมีจำนวนเดือนพอที่จะได้รับสิทธิที่นี่แล้ว
   *[other] ต้องมีอีก { $months } เดือน จึงจะได้รับสิทธิที่นี่
}
me-agreement-adds = ข้อตกลงกับ{ $country } นับรวมเดือนที่คุณทำงานที่นั่นด้วย
me-amount-projected = เงินโดยประมาณ: เดือนละ { $amount } เป็นเพียงการประมาณ ยังรับเงินไม่ได้
me-amount-projected-from = เงินโดยประมาณ: เดือนละ { $amount } ตั้งแต่ { $date } เป็นเพียงการประมาณ ยังรับเงินไม่ได้
me-amount-payable = เงินที่จะได้รับ: เดือนละ { $amount }
me-amount-suspended = เดือนละ { $amount } แต่งดจ่ายไว้ระหว่างที่คุณอยู่ในประเทศที่ไม่จ่ายสิทธิประโยชน์นี้
me-amount-none = ไม่มีเงินที่จะได้รับที่นี่สำหรับเดือนเหล่านี้
me-no-scheme = ประเทศนี้ไม่มีระบบสำหรับสิทธิประโยชน์นี้ แต่เดือนเหล่านี้ยังนับได้ในประเทศอื่น

## ประเทศ (ISO 3166-1)
country-PH = ฟิลิปปินส์
country-ID = อินโดนีเซีย
country-NP = เนปาล
country-MY = มาเลเซีย
country-SG = สิงคโปร์
country-HK = ฮ่องกง
country-TH = ไทย
country-SA = ซาอุดีอาระเบีย
country-AE = สหรัฐอาหรับเอมิเรตส์
country-ES = สเปน
country-IT = อิตาลี

## สิทธิประโยชน์ (ประเภทตามอนุสัญญา ILO ฉบับที่ 102)
branch-old_age = บำนาญชราภาพ
branch-invalidity = ทุพพลภาพ
branch-survivors = ทายาทผู้เสียชีวิต
branch-sickness = เจ็บป่วย
branch-maternity = คลอดบุตร
branch-unemployment = ว่างงาน
branch-employment_injury = บาดเจ็บจากการทำงาน
branch-health_care = รักษาพยาบาล
branch-family = สงเคราะห์บุตร

## เดือน
month-1 = มกราคม
month-2 = กุมภาพันธ์
month-3 = มีนาคม
month-4 = เมษายน
month-5 = พฤษภาคม
month-6 = มิถุนายน
month-7 = กรกฎาคม
month-8 = สิงหาคม
month-9 = กันยายน
month-10 = ตุลาคม
month-11 = พฤศจิกายน
month-12 = ธันวาคม
month-year = { $month } { $year }
day-month-year = { $day } { $month } { $year }

## ไปยังหน้าต่างๆ ของเธอ
nav-me = เดือนของฉัน
nav-record = รายเดือน
nav-claims = เรื่องที่ฉันแจ้ง

## ข้อมูลของเธอ รายเดือน
record-heading = ข้อมูลของคุณ รายเดือน
record-intro = ทุกเดือนที่นายจ้างของคุณแจ้งไว้ พร้อมค่าจ้างและรหัสนายจ้าง เรียงจากเดือนล่าสุด เดือนที่ไม่มีข้อมูลอาจเป็นเงินสมทบที่ไม่ได้จ่าย คุณแจ้งเรื่องนี้ได้
record-month-paid = { $month }: ค่าจ้าง { $wage } นายจ้าง { $employer }
record-month-corrected = { $month }: ค่าจ้าง { $wage } นายจ้าง { $employer } (แก้ไขแล้ว)
record-month-credited = { $month }: นับให้โดยไม่มีเงินสมทบ (เช่น ช่วงคลอดบุตรหรือว่างงาน)
record-month-gap = { $month }: ไม่มีข้อมูล
record-report-gap = แจ้งว่าเดือนนี้ขาดหายไป
record-more = { $count ->
   *[other] ไม่ได้แสดงเดือนที่เก่ากว่าอีก { $count } เดือน
}

## แจ้งเงินสมทบที่ขาดหาย หน้าละหนึ่งคำถาม
claim-heading = แจ้งเงินสมทบที่ขาดหาย
claim-step = คำถามที่ { $step } จาก { $steps }
claim-country-question = คุณทำงานนี้ในประเทศไหน?
claim-employer-question = รหัสนายจ้างของคุณคืออะไร?
claim-employer-hint = ตามที่อยู่ในสลิปเงินเดือนหรือในข้อมูลของคุณ เช่น PH-EMP-0042 ไม่ใช่ชื่อนายจ้าง
claim-months-question = เดือนไหนบ้างที่ขาดหาย?
claim-months-hint = ปีและเดือน เช่น 2024-03 ถ้ามีหลายเดือน ให้เว้นวรรคระหว่างแต่ละเดือน
claim-kind-question = เกิดอะไรขึ้น?
claim-kind-missing_contribution = นายจ้างไม่ได้จ่ายเงินสมทบให้ฉัน
claim-kind-unremitted_deduction = ค่าจ้างของฉันถูกหักเป็นเงินสมทบ แต่ไม่ได้นำส่ง
claim-kind-unpaid_benefit = ฉันไม่ได้รับเงินสิทธิประโยชน์ที่ควรได้
claim-kind-unpaid_wages = ฉันไม่ได้รับค่าจ้าง
claim-kind-end_of_service_dues = ฉันไม่ได้รับเงินเมื่อสิ้นสุดการจ้างงาน
claim-kind-recruitment_cost_from_wages = ค่าใช้จ่ายในการจัดหางานถูกหักจากค่าจ้างของฉัน
claim-evidence-question = คุณมีสลิปเงินเดือนหรือเอกสารอื่นเกี่ยวกับเรื่องนี้ไหม?
claim-evidence-hint = ไม่บังคับ ระบบเก็บไว้แค่ลายนิ้วมือดิจิทัลของไฟล์ ไม่เก็บตัวไฟล์เลย เก็บเอกสารตัวจริงไว้ให้ดี
claim-continue = ต่อไป
claim-check-heading = ตรวจคำตอบของคุณก่อนส่ง
claim-check-country = ประเทศ
claim-check-employer = รหัสนายจ้าง
claim-check-months = เดือน
claim-check-kind = เกิดอะไรขึ้น
claim-check-evidence = เอกสาร
claim-no-evidence = ไม่มี
claim-evidence-kept = ลายนิ้วมือดิจิทัล { $digest }
claim-change = แก้ไข
claim-submit = ส่งเรื่อง
claim-sent = ส่งเรื่องของคุณแล้ว หน่วยงานประกันสังคมของ{ $country } ต้องตอบภายในวันที่ { $date }
claim-error-country = เลือกประเทศ
claim-error-employer = ใส่รหัสนายจ้าง: ตัวอักษร ตัวเลข หรือเครื่องหมาย 1 ถึง 64 ตัว
claim-error-months = ใส่แต่ละเดือนเป็นปีและเดือน เช่น 2024-03: 1 ถึง 120 เดือน และต้องไม่ใช่เดือนในอนาคต
claim-error-kind = เลือกว่าเกิดอะไรขึ้น
claim-error-evidence = ไฟล์ใหญ่เกินไป: ได้ไม่เกิน { $megabytes } MB
claim-error-sent = ระบบไม่รับเรื่องนี้: { $reason }

## เรื่องที่เธอแจ้ง
claims-heading = เรื่องที่คุณแจ้ง
claims-none = คุณยังไม่ได้แจ้งเรื่องใดๆ
claims-new = แจ้งเงินสมทบที่ขาดหาย
claims-item = { $kind }: { $country }, นายจ้าง { $employer }, { $months }
claims-filed = ส่งเมื่อ { $date }
claims-state-open = รอคำตอบ หน่วยงานต้องตอบภายในวันที่ { $date }
claims-state-overdue = { $days ->
   *[other] ล่าช้า: หน่วยงานควรตอบภายในวันที่ { $date } ซึ่งผ่านมาแล้ว { $days } วัน กรุณาขอให้หน่วยงานประกันสังคมในประเทศบ้านเกิดของคุณช่วยติดตามเรื่องนี้
}
claims-state-upheld = อนุมัติแล้ว: เพิ่มเดือนที่ขาดหายลงในข้อมูลของคุณแล้ว
claims-state-rejected = ไม่อนุมัติ เหตุผลที่ให้ไว้: { $reason }
claims-state-appealed = คุณได้อุทธรณ์แล้ว หน่วยงานพิจารณาอุทธรณ์ของ { $country } ต้องตัดสินภายในวันที่ { $date }
claims-state-appeal-overdue = คุณได้อุทธรณ์แล้ว หน่วยงานพิจารณาอุทธรณ์ของ { $country } ควรตัดสินภายในวันที่ { $date } แต่ยังไม่ได้ตัดสิน โปรดขอให้หน่วยงานในประเทศของคุณติดตามเรื่องนี้
claims-state-upheld-on-appeal = อนุมัติในชั้นอุทธรณ์
claims-state-rejected-on-appeal = ไม่อนุมัติในชั้นอุทธรณ์ เหตุผลที่ให้ไว้: { $reason }
claims-appeal-grounds = จดหมายหรือเอกสารใหม่สำหรับการอุทธรณ์ของคุณ (เว้นว่างได้) ระบบส่งเฉพาะลายนิ้วมือของไฟล์ ตัวไฟล์ยังอยู่กับคุณ
claims-appeal = อุทธรณ์คำตอบนี้
claims-appeal-sent = ส่งคำอุทธรณ์ของคุณแล้ว ต้องมีการตัดสินภายในวันที่ { $date }
claims-appeal-refused = คำอุทธรณ์ไม่ได้รับการยอมรับ: { $reason }

## สลิปที่หน่วยงานพิมพ์ให้ตอนลงทะเบียน
slip-heading = ข้อมูลประกันสังคมของคุณ: วิธีเปิดดู
slip-worker-id = หมายเลขคนงาน: { $id }
slip-code = รหัสใช้ครั้งเดียว: { $code }
slip-valid-until = รหัสนี้ใช้ได้ครั้งเดียว ถึง { $date }
slip-open = เปิดที่อยู่นี้ในโทรศัพท์ของคุณ หรือสแกนสี่เหลี่ยมนี้:
slip-private = เก็บสลิปนี้ไว้กับตัวเอง คุณจะตั้ง PIN เอง หน่วยงานและนายจ้างไม่จำเป็นต้องรู้

## รายงานข้อมูลของคุณ
nav-statement = รายงานของฉัน
statement-heading = รายงานข้อมูลของคุณ
statement-intro = ไฟล์ที่มีทุกรายการในข้อมูลของคุณ แต่ละรายการมีหลักฐานว่าอยู่ในบันทึกตามที่ระบบลงนามไว้ หน่วยงานใดก็ตรวจสอบได้โดยไม่ต้องเชื่อเว็บไซต์นี้
statement-download = ดาวน์โหลดรายงานของฉัน
statement-count = { $count } รายการ พิสูจน์แล้วกับสถานะที่ระบบลงนามไว้ซึ่งมี { $size } รายการ

## การตั้งค่า
nav-settings = การตั้งค่า
settings-heading = การตั้งค่า
settings-language = ภาษา: { $language }
settings-change-language = เปลี่ยนภาษา
settings-sign-out-everywhere = ออกจากระบบในทุกโทรศัพท์
settings-sign-out-everywhere-hint = ใช้เมื่อคุณเคยเข้าสู่ระบบในโทรศัพท์ที่ไม่ได้อยู่กับคุณแล้ว หรือที่คนอื่นใช้ด้วย
settings-signed-out-everywhere = คุณออกจากระบบในทุกโทรศัพท์แล้ว

## พิมพ์รายงาน
statement-print = พิมพ์ข้อมูลของฉันพร้อมรหัสตรวจสอบ
print-heading = ข้อมูลการคุ้มครองทางสังคม
print-worker = หมายเลขคนงาน: { $worker }
print-hint = ใช้คำสั่งพิมพ์ของเบราว์เซอร์ แล้วมอบไฟล์รายงานไปพร้อมกับกระดาษนี้ รหัสสี่เหลี่ยมช่วยให้ใครก็ตรวจสอบได้
print-check-heading = ตรวจสอบว่าข้อมูลนี้เป็นของจริง
print-check = สแกนรหัสสี่เหลี่ยมหรือเปิดที่อยู่นี้ แล้วเลือกไฟล์รายงานที่คนงานให้มา การตรวจสอบทำงานบนโทรศัพท์ของคุณและไม่ส่งข้อมูลใดออกไป
print-qr-label = รหัสสี่เหลี่ยมที่มีที่อยู่ของหน้าตรวจสอบ
print-signed = พิมพ์เมื่อ { $date } จากบันทึกของระบบที่มี { $size } รายการ ลงนามด้วยราก { $root }

## ตรวจสอบรายงาน (/verify)
verify-heading = ตรวจสอบรายงาน
verify-intro = ใครก็ตรวจสอบรายงานของคนงานได้ที่นี่ เบราว์เซอร์ของคุณตรวจทุกรายการกับลายเซ็นของระบบ ไฟล์ไม่ออกจากโทรศัพท์เครื่องนี้
verify-no-script = การตรวจสอบนี้ทำงานในเบราว์เซอร์และต้องใช้ JavaScript หากไม่มี คำสั่ง "ledger statement verify" ตรวจได้แบบเดียวกัน
verify-choose = เลือกไฟล์รายงาน
verify-key-heading = กุญแจที่หน้านี้ใช้ตรวจสอบ
verify-key-hint = นี่คือกุญแจตรวจสอบสาธารณะของระบบ หน่วยงานเทียบกับกุญแจที่ผู้ดูแลระบบเผยแพร่ไว้ได้
verify-working = กำลังตรวจสอบ…
verify-expected = ข้อมูลที่พิมพ์นี้เป็นของคนงาน { $worker }
verify-ok = ของจริง คนงาน { $worker } ตรวจแล้ว { $count } รายการ บันทึกของระบบมี { $size } รายการเมื่อลงนาม
verify-cosigned = ลงนามร่วมโดย { $count } จาก { $total } สำเนาของระบบที่หน้านี้รู้จักด้วย
verify-failed = ไม่ใช่ของจริง อย่าเชื่อไฟล์นี้
verify-error-file = นี่ไม่ใช่ไฟล์รายงาน
verify-error-large = ไฟล์นี้ใหญ่เกินกว่าจะเป็นรายงาน
verify-error-key = กุญแจที่อยู่ในหน้านี้ไม่ถูกต้อง
verify-error-checkpoint = ลายเซ็นของระบบบนรายงานนี้ไม่ถูกต้อง
verify-error-record = รายการ { $seq } เสียหาย หรือไม่ใช่ของคนงานคนนี้
verify-error-proof = รายการ { $seq } ถูกแก้ไข ไม่ใช่รายการที่อยู่ในบันทึกของระบบ
verify-error-empty = รายงานนี้ไม่มีรายการ
verify-error-worker = รายงานนี้เป็นของคนงาน { $found } ไม่ใช่ของ { $expected }
verify-contributions = เงินสมทบในรายงาน
verify-columns = เดือน | ประเทศ | ค่าจ้างที่ประกันตน
verify-reversed = ยกเลิกแล้ว

## พาสคีย์
sign-in-passkey-or = หรือ บนโทรศัพท์ที่คุณเพิ่มพาสคีย์ไว้ ให้พิมพ์หมายเลขคนงานด้านบน แล้ว:
sign-in-passkey = เข้าสู่ระบบด้วยพาสคีย์
sign-in-passkey-failed = เข้าสู่ระบบด้วยพาสคีย์ไม่สำเร็จ ลองอีกครั้ง หรือใช้ PIN ของคุณ
error-no-passkey = คุณยังไม่มีพาสคีย์ เข้าสู่ระบบด้วย PIN แล้วเพิ่มพาสคีย์ได้ที่การตั้งค่า
settings-passkey-heading = พาสคีย์บนโทรศัพท์เครื่องนี้
settings-passkey-hint = เฉพาะเมื่อโทรศัพท์เครื่องนี้เป็นของคุณคนเดียว: การล็อกโทรศัพท์ (ลายนิ้วมือ ใบหน้า หรือล็อกหน้าจอ) จะเปิดข้อมูลของคุณได้โดยไม่ต้องใช้ PIN ใครก็ตามที่ปลดล็อกโทรศัพท์นี้ได้ก็จะเปิดได้เช่นกัน
settings-passkey-pin = PIN ของคุณ เพื่อยืนยันว่าเป็นคุณ
settings-passkey-add = เพิ่มพาสคีย์
settings-passkey-added = เพิ่มพาสคีย์แล้ว บนโทรศัพท์เครื่องนี้คุณเข้าสู่ระบบด้วยพาสคีย์ได้
settings-passkey-failed = ไม่ได้เพิ่มพาสคีย์ ลองอีกครั้ง หรือใช้ PIN ต่อไป

## ข้อมูลประจำตัวของเธอ
settings-credential-heading = ข้อมูลประจำตัวบนเอกสารการลงทะเบียนของคุณ
settings-credential-hint = หน่วยงานให้ข้อมูลประจำตัวแบบยาวแก่คุณตอนลงทะเบียน คุณไม่จำเป็นต้องใช้ที่นี่ หากคนอื่นอาจมีไว้ (เช่น นายจ้างเก็บเอกสารไว้) ให้เปลี่ยนใหม่ อันเก่าจะใช้ไม่ได้ทันที
settings-credential-replace = เปลี่ยนข้อมูลประจำตัวของฉัน
settings-trust-heading = องค์กรที่คุณไว้วางใจให้ดูแลเรื่องที่คุณแจ้ง
settings-trust-hint = สหภาพแรงงานหรือองค์กรแรงงานข้ามชาติสามารถแจ้งเรื่องและติดตามเรื่องแทนคุณได้เมื่อคุณให้ความยินยอม องค์กรจะไม่เห็นเงินสมทบหรือข้อมูลส่วนตัวของคุณ คุณเพิกถอนความยินยอมได้ทุกเมื่อ
settings-trust-none = คุณยังไม่ได้ให้ความยินยอมแก่องค์กรใด
settings-trust-entry = { $organisation } จดทะเบียนใน{ $country }
settings-trust-revoke = เพิกถอนความยินยอมของฉัน
settings-trust-give-label = รหัสขององค์กร (องค์กรจะให้รหัสนี้แก่คุณ)
settings-trust-give = ให้ความยินยอมของฉัน
settings-trust-given = บันทึกความยินยอมของคุณแล้ว ตอนนี้องค์กรแจ้งเรื่องและติดตามเรื่องของคุณได้
settings-trust-taken-back = เพิกถอนความยินยอมของคุณแล้ว องค์กรแจ้งเรื่องหรือติดตามเรื่องของคุณไม่ได้อีก
settings-trust-unknown = ไม่มีองค์กรที่จดทะเบียนด้วยรหัสนี้ โปรดตรวจสอบรหัสกับองค์กร
credential-heading = ข้อมูลประจำตัวใหม่ของคุณ
credential-replaced = ข้อมูลประจำตัวเก่าใช้ไม่ได้แล้ว นี่คืออันใหม่ ซึ่งแสดงเพียงครั้งนี้เท่านั้น:
credential-keep = คุณไม่จำเป็นต้องใช้บนเว็บไซต์นี้ เก็บไว้เป็นความลับ ใครที่มีจะอ่านข้อมูลของคุณได้ PIN ของคุณยังใช้ได้
credential-back = กลับไปที่การตั้งค่า
