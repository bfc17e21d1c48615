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
