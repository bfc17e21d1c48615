# The worker portal's messages in Indonesian.
# Machine-assisted translation, awaiting review by native speakers.

language-name = Bahasa Indonesia
portal-title = Catatan jaminan sosial saya
skip-to-content = Langsung ke isi

## Memilih bahasa
choose-language = Pilih bahasa Anda
choose-language-hint = Anda bisa menggantinya nanti di setiap halaman.

## Awal
start-heading = Iuran Anda, di setiap negara tempat Anda bekerja
start-intro = Lihat di satu tempat bulan-bulan yang sudah dibayar oleh majikan Anda, dan berapa jumlahnya menurut perjanjian antarnegara.
start-sign-in = Masuk dengan PIN Anda
start-activate = Baru pertama kali? Pakai kode di slip Anda
start-verify = Periksa laporan yang diberikan seseorang kepada Anda

## Aktivasi
activate-heading = Buat PIN Anda
activate-intro = Lembaga jaminan sosial memberi Anda slip berisi nomor pekerja dan kode sekali pakai. Kode ini hanya bisa dipakai satu kali, sampai tanggal yang tertulis di slip.
field-worker-id = Nomor pekerja
field-worker-id-hint = 17 huruf dan angka, diawali W, seperti di slip Anda
field-activation-code = Kode sekali pakai
field-activation-code-hint = 12 huruf dan angka, seperti di slip Anda
field-pin = PIN
field-pin-hint = 6 sampai 12 angka. Jangan pakai satu angka yang diulang-ulang, atau angka berurutan seperti 123456.
field-pin-again = Ulangi PIN Anda
activate-submit = Buat PIN saya
activate-pins-differ = Kedua PIN tidak sama.

## Masuk
sign-in-heading = Masuk
sign-in-submit = Masuk
sign-in-activate-instead = Belum pernah membuat PIN? Pakai kode di slip Anda.
sign-out = Keluar
signed-out = Anda sudah keluar.
session-ended = Sesi Anda sudah berakhir. Silakan masuk lagi.

## Kesalahan
error-heading = Ada masalah
error-wrong = Nomor pekerja, kode, atau PIN salah. { $left ->
   *[other] Anda masih bisa mencoba { $left } kali lagi sebelum akses dikunci.
}
error-wrong-no-count = Nomor pekerja, kode, atau PIN salah.
error-locked = Akses Anda dikunci. Minta lembaga jaminan sosial di negara asal Anda, atau lembaga yang mendaftarkan Anda, untuk membukanya lagi. Mereka akan memberi Anda kode baru.
error-expired = Kode ini sudah tidak berlaku. Minta kode baru ke lembaga jaminan sosial di negara asal Anda, atau lembaga yang mendaftarkan Anda.
error-used = Kode ini sudah pernah dipakai. Masuk dengan PIN Anda.
error-not-activated = Anda belum membuat PIN. Pakai kode di slip Anda.
error-form = Periksa lagi yang Anda ketik: { $field }
error-busy = Layanan sedang sibuk. Tunggu sebentar, lalu coba lagi.
error-unavailable = Layanan belum bisa menjawab sekarang. Coba lagi nanti.
error-form-expired = Halaman ini terbuka terlalu lama. Silakan kirim lagi.
not-found-heading = Halaman tidak ditemukan
not-found-body = Tidak ada halaman di alamat ini.

## Catatannya
me-heading = Catatan Anda
me-worker-id = Nomor pekerja: { $id }
me-as-of = Diperbarui per { $date }.
me-nothing-yet = Belum ada iuran yang tercatat untuk Anda.
me-country-months = { $months ->
   *[other] { $months } bulan
}
me-own-months = Bulan yang dibayar di { $country }: { $months }
me-total-months = Bulan yang dihitung di sini dengan perjanjian: { $months }
me-missing-months = { $months ->
    [0] Jumlah bulan Anda sudah cukup untuk mendapat manfaat di sini.
   *[other] Anda masih perlu { $months } bulan lagi untuk mendapat manfaat di sini.
}
me-agreement-adds = Perjanjian dengan { $country } ikut menghitung bulan-bulan Anda di sana.
me-amount-projected = Perkiraan jumlah: { $amount } per bulan. Ini baru perkiraan, belum bisa dibayarkan.
me-amount-projected-from = Perkiraan jumlah: { $amount } per bulan, mulai { $date }. Ini baru perkiraan, belum bisa dibayarkan.
me-amount-payable = Jumlah yang Anda terima: { $amount } per bulan.
me-amount-suspended = { $amount } per bulan, ditahan selama Anda tinggal di negara yang tidak bisa menerima pembayaran manfaat ini.
me-amount-none = Tidak ada jumlah yang dibayarkan di sini untuk bulan-bulan ini.
me-no-scheme = Negara ini tidak punya program untuk manfaat ini, tetapi bulan-bulannya tetap dihitung di negara lain.

## Negara (ISO 3166-1)
country-PH = Filipina
country-ID = Indonesia
country-NP = Nepal
country-MY = Malaysia
country-SG = Singapura
country-HK = Hong Kong
country-TH = Thailand
country-SA = Arab Saudi
country-AE = Uni Emirat Arab
country-ES = Spanyol
country-IT = Italia

## Manfaat (cabang ILO C102)
branch-old_age = Pensiun hari tua
branch-invalidity = Cacat
branch-survivors = Ahli waris
branch-sickness = Sakit
branch-maternity = Melahirkan
branch-unemployment = Kehilangan pekerjaan
branch-employment_injury = Kecelakaan kerja
branch-health_care = Layanan kesehatan
branch-family = Keluarga

## Bulan
month-1 = Januari
month-2 = Februari
month-3 = Maret
month-4 = April
month-5 = Mei
month-6 = Juni
month-7 = Juli
month-8 = Agustus
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Desember
month-year = { $month } { $year }
day-month-year = { $day } { $month } { $year }

## Navigasi halaman-halamannya
nav-me = Bulan-bulan saya
nav-record = Bulan demi bulan
nav-claims = Laporan saya

## Catatannya, bulan demi bulan
record-heading = Catatan Anda, bulan demi bulan
record-intro = Setiap bulan yang dilaporkan majikan Anda, dengan gaji dan kode majikan, mulai dari yang terbaru. Bulan yang tidak ada catatannya mungkin adalah iuran yang tidak dibayar: Anda bisa melaporkannya.
record-month-paid = { $month }: gaji { $wage }, majikan { $employer }
record-month-corrected = { $month }: gaji { $wage }, majikan { $employer } (sudah diperbaiki)
record-month-credited = { $month }: dihitung tanpa iuran (misalnya karena melahirkan atau kehilangan pekerjaan)
record-month-gap = { $month }: tidak ada catatan.
record-report-gap = Laporkan bulan yang hilang ini
record-more = { $count ->
   *[other] { $count } bulan yang lebih lama tidak ditampilkan.
}

## Melaporkan iuran yang hilang, satu pertanyaan per halaman
claim-heading = Laporkan iuran yang hilang
claim-step = Pertanyaan { $step } dari { $steps }
claim-country-question = Di negara mana Anda melakukan pekerjaan ini?
claim-employer-question = Apa kode majikan Anda?
claim-employer-hint = Seperti di slip gaji atau catatan Anda, misalnya PH-EMP-0042. Bukan nama majikan Anda.
claim-months-question = Bulan apa saja yang hilang?
claim-months-hint = Tahun dan bulan, seperti 2024-03. Untuk beberapa bulan, beri spasi di antaranya.
claim-kind-question = Apa yang terjadi?
claim-kind-missing_contribution = Majikan saya tidak membayar iuran
claim-kind-unremitted_deduction = Gaji saya dipotong untuk iuran, tetapi tidak disetorkan
claim-kind-unpaid_benefit = Ada manfaat yang tidak dibayarkan kepada saya
claim-kind-unpaid_wages = Upah saya tidak dibayar
claim-kind-end_of_service_dues = Pesangon akhir masa kerja saya tidak dibayar
claim-kind-recruitment_cost_from_wages = Biaya perekrutan dipotong dari upah saya
claim-evidence-question = Apakah Anda punya slip gaji atau dokumen lain tentang ini?
claim-evidence-hint = Tidak wajib. Yang disimpan hanya sidik jari digital file, bukan file-nya: simpan dokumennya baik-baik.
claim-continue = Lanjut
claim-check-heading = Periksa jawaban Anda sebelum mengirim
claim-check-country = Negara
claim-check-employer = Kode majikan
claim-check-months = Bulan
claim-check-kind = Apa yang terjadi
claim-check-evidence = Dokumen
claim-no-evidence = Tidak ada
claim-evidence-kept = Sidik jari { $digest }
claim-change = Ubah
claim-submit = Kirim laporan
claim-sent = Laporan Anda sudah terkirim. Lembaga jaminan sosial di { $country } harus menjawab paling lambat { $date }.
claim-error-country = Pilih negara.
claim-error-employer = Tulis kode majikan: 1 sampai 64 huruf, angka, atau tanda.
claim-error-months = Tulis setiap bulan sebagai tahun dan bulan, seperti 2024-03: 1 sampai 120 bulan, tidak boleh bulan yang belum tiba.
claim-error-kind = Pilih apa yang terjadi.
claim-error-evidence = File terlalu besar: paling besar { $megabytes } MB.
claim-error-sent = Laporan tidak diterima: { $reason }

## Laporannya
claims-heading = Laporan Anda
claims-none = Anda belum melaporkan apa pun.
claims-new = Laporkan iuran yang hilang
claims-item = { $kind }: { $country }, majikan { $employer }, { $months }
claims-filed = Dikirim pada { $date }.
claims-state-open = Menunggu jawaban. Lembaga harus menjawab paling lambat { $date }.
claims-state-overdue = { $days ->
   *[other] Terlambat: lembaga seharusnya menjawab paling lambat { $date }, { $days } hari yang lalu. Minta lembaga jaminan sosial di negara asal Anda untuk menindaklanjutinya.
}
claims-state-upheld = Diterima: bulan-bulan yang hilang sudah ditambahkan ke catatan Anda.
claims-state-rejected = Ditolak. Alasannya: { $reason }
claims-state-appealed = Anda mengajukan banding. Badan banding { $country } harus memutuskan paling lambat { $date }.
claims-state-appeal-overdue = Anda mengajukan banding. Badan banding { $country } seharusnya memutuskan paling lambat { $date }, tetapi belum. Mintalah lembaga di negara asal Anda untuk menindaklanjutinya.
claims-state-upheld-on-appeal = Diterima dalam banding.
claims-state-rejected-on-appeal = Ditolak dalam banding. Alasannya: { $reason }
claims-appeal-grounds = Surat atau dokumen baru untuk banding Anda (boleh dikosongkan). Hanya sidik berkas yang dikirim; berkasnya tetap pada Anda.
claims-appeal = Ajukan banding atas jawaban ini
claims-appeal-sent = Banding Anda terkirim. Harus diputuskan paling lambat { $date }.
claims-appeal-refused = Banding tidak diterima: { $reason }

## Slip yang dicetak lembaga saat pendaftaran
slip-heading = Catatan jaminan sosial Anda: cara membukanya
slip-worker-id = Nomor pekerja: { $id }
slip-code = Kode sekali pakai: { $code }
slip-valid-until = Kode ini hanya bisa dipakai satu kali, sampai { $date }.
slip-open = Di ponsel Anda, buka alamat ini, atau pindai kotak ini:
slip-private = Simpan slip ini untuk diri Anda sendiri. Anda akan memilih PIN; lembaga maupun majikan Anda tidak perlu mengetahuinya.

## Laporan catatan Anda
nav-statement = Laporan saya
statement-heading = Laporan catatan Anda
statement-intro = Sebuah berkas berisi setiap kejadian dalam catatan Anda, masing-masing dengan bukti bahwa kejadian itu ada di log sebagaimana ditandatangani oleh sistem. Lembaga mana pun dapat memeriksanya tanpa harus memercayai situs ini.
statement-download = Unduh laporan saya
statement-count = { $count } kejadian, dibuktikan terhadap keadaan sistem yang ditandatangani dengan { $size } kejadian.

## Pengaturan
nav-settings = Pengaturan
settings-heading = Pengaturan
settings-language = Bahasa: { $language }
settings-change-language = Ganti bahasa
settings-sign-out-everywhere = Keluar di semua ponsel
settings-sign-out-everywhere-hint = Gunakan ini jika Anda pernah masuk di ponsel yang sudah tidak Anda pegang, atau yang dipakai orang lain.
settings-signed-out-everywhere = Anda sudah keluar di semua ponsel.

## Mencetak pernyataannya
statement-print = Cetak catatan saya dengan kode pemeriksaannya
print-heading = Catatan perlindungan sosial
print-worker = Nomor pekerja: { $worker }
print-hint = Gunakan perintah Cetak di peramban Anda. Serahkan berkas pernyataan bersama kertas ini: dengan kotak kode itu siapa pun dapat memeriksanya.
print-check-heading = Periksa bahwa catatan ini asli
print-check = Pindai kotak kode atau buka alamat ini, lalu pilih berkas pernyataan yang diberikan pekerja. Pemeriksaan berjalan di ponsel Anda dan tidak mengirim apa pun.
print-qr-label = Kode kotak berisi alamat halaman pemeriksaan
print-signed = Dicetak pada { $date }, dari log buku besar berisi { $size } peristiwa, ditandatangani dengan akar { $root }.

## Memeriksa pernyataan (/verify)
verify-heading = Periksa pernyataan
verify-intro = Siapa pun dapat memeriksa pernyataan seorang pekerja di sini. Peramban Anda memeriksa setiap catatan terhadap tanda tangan buku besar. Berkas tidak keluar dari ponsel ini.
verify-no-script = Pemeriksaan ini berjalan di peramban Anda dan memerlukan JavaScript. Tanpa itu, perintah "ledger statement verify" melakukan pemeriksaan yang sama.
verify-choose = Pilih berkas pernyataan
verify-key-heading = Kunci yang dipakai halaman ini untuk memeriksa
verify-key-hint = Ini kunci verifikasi publik buku besar. Sebuah lembaga dapat membandingkannya dengan kunci yang diumumkan oleh pengelola buku besar.
verify-working = Memeriksa…
verify-expected = Catatan tercetak ini milik pekerja { $worker }.
verify-ok = Asli. Pekerja { $worker }. Catatan yang diperiksa: { $count }. Log buku besar berisi { $size } peristiwa saat menandatanganinya.
verify-cosigned = Juga ditandatangani bersama oleh { $count } dari { $total } replika buku besar yang dikenal halaman ini.
verify-failed = Tidak asli. Jangan mengandalkan berkas ini.
verify-error-file = Ini bukan berkas pernyataan.
verify-error-large = Berkas ini terlalu besar untuk sebuah pernyataan.
verify-error-key = Kunci yang tertanam di halaman ini tidak sah.
verify-error-checkpoint = Tanda tangan buku besar pada pernyataan ini tidak cocok.
verify-error-record = Catatan { $seq } rusak, atau bukan tentang pekerja ini.
verify-error-proof = Catatan { $seq } telah diubah: bukan catatan yang ada di log buku besar.
verify-error-empty = Pernyataan ini tidak berisi catatan.
verify-error-worker = Pernyataan ini milik pekerja { $found }, bukan { $expected }.
verify-contributions = Iuran dalam pernyataan
verify-columns = Bulan | Negara | Upah yang diasuransikan
verify-reversed = dibatalkan

## Passkey
sign-in-passkey-or = Atau, di ponsel tempat Anda menambahkan passkey, ketik nomor pekerja Anda di atas lalu:
sign-in-passkey = Masuk dengan passkey
sign-in-passkey-failed = Passkey tidak berhasil memasukkan Anda. Coba lagi, atau gunakan PIN Anda.
error-no-passkey = Anda belum punya passkey. Masuk dengan PIN Anda; Anda dapat menambahkannya di Pengaturan.
settings-passkey-heading = Passkey di ponsel ini
settings-passkey-hint = Hanya jika ponsel ini milik Anda sendiri: kunci ponsel (sidik jari, wajah, atau kunci layar) akan membuka catatan Anda tanpa PIN. Siapa pun yang dapat membuka kunci ponsel ini juga dapat membukanya.
settings-passkey-pin = PIN Anda, untuk memastikan ini Anda
settings-passkey-add = Tambahkan passkey
settings-passkey-added = Passkey Anda sudah ditambahkan. Di ponsel ini Anda dapat masuk dengannya.
settings-passkey-failed = Passkey tidak ditambahkan. Coba lagi, atau tetap gunakan PIN Anda.

## Kredensialnya
settings-credential-heading = Kredensial di kertas pendaftaran Anda
settings-credential-hint = Agensi memberi Anda kredensial panjang saat Anda didaftarkan. Anda tidak memerlukannya di sini. Jika orang lain mungkin memegangnya (misalnya majikan Anda menyimpan kertasnya), gantilah: yang lama langsung tidak berlaku.
settings-credential-replace = Ganti kredensial saya
settings-trust-heading = Organisasi yang Anda percayai untuk laporan Anda
settings-trust-hint = Serikat pekerja atau organisasi pekerja migran dapat mengajukan dan memantau laporan Anda setelah Anda memberikan persetujuan. Organisasi itu tidak pernah melihat iuran atau data pribadi Anda. Anda dapat menarik kembali persetujuan kapan saja.
settings-trust-none = Anda belum memberikan persetujuan kepada organisasi mana pun.
settings-trust-entry = { $organisation }, terdaftar di { $country }
settings-trust-revoke = Tarik kembali persetujuan saya
settings-trust-give-label = Pengenal organisasi (diberikan oleh organisasi kepada Anda)
settings-trust-give = Berikan persetujuan saya
settings-trust-given = Persetujuan Anda telah dicatat. Organisasi itu kini dapat mengajukan dan memantau laporan Anda.
settings-trust-taken-back = Persetujuan Anda telah ditarik kembali. Organisasi itu tidak dapat lagi mengajukan atau memantau laporan Anda.
settings-trust-unknown = Tidak ada organisasi terdaftar dengan pengenal ini. Periksa pengenal itu dengan organisasinya.
credential-heading = Kredensial baru Anda
credential-replaced = Kredensial lama Anda tidak berlaku lagi. Ini yang baru, hanya ditampilkan kali ini:
credential-keep = Anda tidak memerlukannya di situs web ini. Simpan secara pribadi: siapa pun yang memegangnya dapat membaca catatan Anda. PIN Anda tetap berlaku.
credential-back = Kembali ke Pengaturan
