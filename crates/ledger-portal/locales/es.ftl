# The worker portal's messages in Spanish.
# Machine-assisted translation, awaiting review by native speakers.

language-name = Español
portal-title = Mi historial de protección social
skip-to-content = Saltar al contenido

## Elegir idioma
choose-language = Elige tu idioma
choose-language-hint = Puedes cambiarlo después en cualquier página.

## Inicio
start-heading = Tus cotizaciones, en cada país donde trabajaste
start-intro = Mira en un solo lugar los meses que pagaron tus empleadores, y cuánto suman con los acuerdos entre países.
start-sign-in = Entra con tu PIN
start-activate = ¿Primera vez? Usa el código de tu comprobante
start-verify = Comprueba un extracto que alguien te dio

## Activación
activate-heading = Crea tu PIN
activate-intro = La oficina de seguridad social te dio un comprobante con tu número de trabajador y un código de un solo uso. El código sirve una sola vez, hasta la fecha que aparece en el comprobante.
field-worker-id = Número de trabajador
field-worker-id-hint = 17 letras y números, empieza por W, como en tu comprobante
field-activation-code = Código de un solo uso
field-activation-code-hint = 12 letras y números, como en tu comprobante
field-pin = PIN
field-pin-hint = De 6 a 12 números. No puede ser un mismo número repetido, ni números seguidos como 123456.
field-pin-again = Repite tu PIN
activate-submit = Crear mi PIN
activate-pins-differ = Los dos PIN no son iguales.

## Entrar
sign-in-heading = Entrar
sign-in-submit = Entrar
sign-in-activate-instead = ¿Nunca creaste un PIN? Usa el código de tu comprobante.
sign-out = Salir
signed-out = Has cerrado la sesión.
session-ended = Tu sesión terminó. Vuelve a entrar.

## Errores
error-heading = Hay un problema
error-wrong = El número de trabajador, el código o el PIN no es correcto. { $left ->
    [one] Te queda 1 intento antes de que se bloquee tu acceso.
    [many] Te quedan { $left } intentos antes de que se bloquee tu acceso.
   *[other] Te quedan { $left } intentos antes de que se bloquee tu acceso.
}
error-wrong-no-count = El número de trabajador, el código o el PIN no es correcto.
error-locked = Tu acceso está bloqueado. Pide a la oficina de seguridad social de tu país de origen, o a la que te inscribió, que lo desbloquee. Te darán un código nuevo.
error-expired = Este código ya caducó. Pide uno nuevo a la oficina de seguridad social de tu país de origen, o a la que te inscribió.
error-used = Este código ya se usó. Entra con tu PIN.
error-not-activated = Todavía no has creado un PIN. Usa el código de tu comprobante.
error-form = Revisa lo que escribiste: { $field }
error-busy = El servicio está ocupado. Espera un momento y vuelve a intentarlo.
error-unavailable = El servicio no puede responder ahora. Inténtalo más tarde.
error-form-expired = Esta página estuvo abierta demasiado tiempo. Envíala otra vez, por favor.
not-found-heading = Página no encontrada
not-found-body = No hay ninguna página en esta dirección.

## Su historial
me-heading = Tu historial
me-worker-id = Número de trabajador: { $id }
me-as-of = Actualizado al { $date }.
me-nothing-yet = Todavía no hay cotizaciones registradas a tu nombre.
me-country-months = { $months ->
    [one] 1 mes
    [many] { $months } meses
   *[other] { $months } meses
}
me-own-months = Meses pagados en { $country }: { $months }
me-total-months = Meses que cuentan aquí con los acuerdos: { $months }
me-missing-months = { $months ->
    [0] Ya tienes los meses necesarios para tener derecho aquí.
    [one] Te falta 1 mes para tener derecho aquí.
    [many] Te faltan { $months } meses para tener derecho aquí.
   *[other] Te faltan { $months } meses para tener derecho aquí.
}
me-agreement-adds = El acuerdo con { $country } suma también tus meses de allí.
me-amount-projected = Cantidad estimada: { $amount } al mes. Es un cálculo, todavía no se paga.
me-amount-projected-from = Cantidad estimada: { $amount } al mes, desde el { $date }. Es un cálculo, todavía no se paga.
me-amount-payable = Cantidad a cobrar: { $amount } al mes.
me-amount-suspended = { $amount } al mes, en pausa mientras vivas en un país donde no se paga esta prestación.
me-amount-none = Aquí no se paga ninguna cantidad por estos meses.
me-no-scheme = Este país no tiene un sistema para esta prestación, pero los meses cuentan igual en otros países.

## Países (ISO 3166-1)
country-PH = Filipinas
country-ID = Indonesia
country-NP = Nepal
country-MY = Malasia
country-SG = Singapur
country-HK = Hong Kong
country-TH = Tailandia
country-SA = Arabia Saudí
country-AE = Emiratos Árabes Unidos
country-ES = España
country-IT = Italia

## Prestaciones (ramas del Convenio 102 de la OIT)
branch-old_age = Pensión de vejez
branch-invalidity = Invalidez
branch-survivors = Sobrevivientes
branch-sickness = Enfermedad
branch-maternity = Maternidad
branch-unemployment = Desempleo
branch-employment_injury = Accidente de trabajo
branch-health_care = Atención médica
branch-family = Familia

## Meses
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
month-year = { $month } { $year }
day-month-year = { $day } de { $month } de { $year }

## Navegación por sus páginas
nav-me = Mis meses
nav-record = Mes a mes
nav-claims = Mis avisos

## Su historial, mes a mes
record-heading = Tu historial, mes a mes
record-intro = Cada mes que declararon tus empleadores, con el sueldo y el código del empleador, del más reciente al más antiguo. Un mes sin nada registrado puede ser una cotización que no se pagó: puedes avisar de ello.
record-month-paid = { $month }: sueldo { $wage }, empleador { $employer }
record-month-corrected = { $month }: sueldo { $wage }, empleador { $employer } (corregido)
record-month-credited = { $month }: cuenta aunque no hubo cotización (por ejemplo, por maternidad o desempleo)
record-month-gap = { $month }: no hay nada registrado.
record-report-gap = Avisar de que falta este mes
record-more = { $count ->
    [one] No se muestra 1 mes anterior.
    [many] No se muestran { $count } meses anteriores.
   *[other] No se muestran { $count } meses anteriores.
}

## Avisar de una cotización que falta, una pregunta por página
claim-heading = Avisar de una cotización que falta
claim-step = Pregunta { $step } de { $steps }
claim-country-question = ¿En qué país hiciste este trabajo?
claim-employer-question = ¿Cuál es el código de tu empleador?
claim-employer-hint = Como aparece en tu nómina o en tu historial, por ejemplo PH-EMP-0042. No el nombre de tu empleador.
claim-months-question = ¿Qué meses faltan?
claim-months-hint = Año y mes, como 2024-03. Si son varios meses, sepáralos con un espacio.
claim-kind-question = ¿Qué pasó?
claim-kind-missing_contribution = Mi empleador no pagó la cotización
claim-kind-unremitted_deduction = Me descontaron dinero del sueldo para la cotización, pero no la pagaron
claim-kind-unpaid_benefit = No me pagaron una prestación
claim-kind-unpaid_wages = No me pagaron el salario
claim-kind-end_of_service_dues = No me pagaron la liquidación al terminar el contrato
claim-kind-recruitment_cost_from_wages = Me descontaron del salario los gastos de contratación
claim-evidence-question = ¿Tienes una nómina u otro papel sobre esto?
claim-evidence-hint = No es obligatorio. Solo se guarda una huella del archivo, nunca el archivo: guarda bien el papel.
claim-continue = Continuar
claim-check-heading = Revisa tus respuestas antes de enviar
claim-check-country = País
claim-check-employer = Código del empleador
claim-check-months = Meses
claim-check-kind = Qué pasó
claim-check-evidence = Papel
claim-no-evidence = Ninguno
claim-evidence-kept = Huella { $digest }
claim-change = Cambiar
claim-submit = Enviar el aviso
claim-sent = Tu aviso se envió. La oficina de seguridad social de { $country } debe responder a más tardar el { $date }.
claim-error-country = Elige el país.
claim-error-employer = Escribe el código del empleador: de 1 a 64 letras, números o signos.
claim-error-months = Escribe cada mes con el año y el mes, como 2024-03: de 1 a 120 meses, ninguno en el futuro.
claim-error-kind = Elige qué pasó.
claim-error-evidence = El archivo es demasiado grande: como máximo { $megabytes } MB.
claim-error-sent = No se aceptó el aviso: { $reason }

## Sus avisos
claims-heading = Tus avisos
claims-none = Todavía no has avisado de nada.
claims-new = Avisar de una cotización que falta
claims-item = { $kind }: { $country }, empleador { $employer }, { $months }
claims-filed = Enviado el { $date }.
claims-state-open = Esperando respuesta. La oficina debe responder a más tardar el { $date }.
claims-state-overdue = { $days ->
    [one] Con retraso: la oficina debía responder a más tardar el { $date }, hace 1 día. Pide a la oficina de seguridad social de tu país de origen que haga el seguimiento.
    [many] Con retraso: la oficina debía responder a más tardar el { $date }, hace { $days } días. Pide a la oficina de seguridad social de tu país de origen que haga el seguimiento.
   *[other] Con retraso: la oficina debía responder a más tardar el { $date }, hace { $days } días. Pide a la oficina de seguridad social de tu país de origen que haga el seguimiento.
}
claims-state-upheld = Aceptado: los meses que faltaban se añadieron a tu historial.
claims-state-rejected = Rechazado. Motivo indicado: { $reason }
claims-state-appealed = Recurriste. El órgano de apelación de { $country } debe decidir a más tardar el { $date }.
claims-state-appeal-overdue = Recurriste. El órgano de apelación de { $country } debía decidir a más tardar el { $date } y no lo ha hecho. Pide a la oficina de tu país de origen que lo reclame.
claims-state-upheld-on-appeal = Aceptado en apelación.
claims-state-rejected-on-appeal = Rechazado en apelación. Motivo indicado: { $reason }
claims-appeal-grounds = Una carta o nuevos papeles para tu recurso (puedes dejarlo vacío). Solo se envía una huella del archivo; el archivo se queda contigo.
claims-appeal = Recurrir esta respuesta
claims-appeal-sent = Tu recurso se envió. Debe decidirse a más tardar el { $date }.
claims-appeal-refused = El recurso no fue aceptado: { $reason }

## El comprobante que imprime la oficina al inscribirte
slip-heading = Tu historial de protección social: cómo abrirlo
slip-worker-id = Número de trabajador: { $id }
slip-code = Código de un solo uso: { $code }
slip-valid-until = El código sirve una sola vez, hasta el { $date }.
slip-open = En tu teléfono, abre esta dirección o escanea el cuadro:
slip-private = Guarda este comprobante para ti. Elegirás un PIN; ni la oficina ni tu empleador lo necesitan.

## Tu extracto
nav-statement = Mi extracto
statement-heading = Tu extracto
statement-intro = Un archivo con cada hecho de tu historial, cada uno con la prueba de que está en el registro tal como el sistema lo firmó. Cualquier institución puede comprobarlo sin fiarse de este sitio.
statement-download = Descargar mi extracto
statement-count = { $count ->
    [one] { $count } hecho, comprobado frente al estado firmado del sistema de { $size } hechos.
    [many] { $count } hechos, comprobados frente al estado firmado del sistema de { $size } hechos.
   *[other] { $count } hechos, comprobados frente al estado firmado del sistema de { $size } hechos.
}

## Ajustes
nav-settings = Ajustes
settings-heading = Ajustes
settings-language = Idioma: { $language }
settings-change-language = Cambiar el idioma
settings-sign-out-everywhere = Salir en todos los teléfonos
settings-sign-out-everywhere-hint = Úsalo si entraste en un teléfono que ya no tienes, o que usan otras personas.
settings-signed-out-everywhere = Has salido en todos los teléfonos.

## Imprimir su extracto
statement-print = Imprimir mi historial con su código de verificación
print-heading = Historial de protección social
print-worker = Número de trabajadora: { $worker }
print-hint = Use la orden Imprimir de su navegador. Entregue el archivo del extracto junto con el papel: el cuadrado permite a cualquiera comprobarlo.
print-check-heading = Compruebe que este historial es auténtico
print-check = Escanee el cuadrado o abra esta dirección y elija el archivo del extracto que le entregue la trabajadora. La comprobación se hace en su teléfono y no envía nada.
print-qr-label = Código cuadrado con la dirección de la página de verificación
print-signed = Impreso el { $date }, a partir del registro del libro mayor de { $size } eventos, firmado con la raíz { $root }.

## Comprobar un extracto (/verify)
verify-heading = Comprobar un extracto
verify-intro = Cualquiera puede comprobar aquí el extracto de una trabajadora. Su navegador comprueba cada registro con la firma del libro mayor. El archivo no sale de este teléfono.
verify-no-script = Esta comprobación se hace en su navegador y necesita JavaScript. Sin él, la orden "ledger statement verify" hace la misma comprobación.
verify-choose = Elija el archivo del extracto
verify-key-heading = La clave con la que comprueba esta página
verify-key-hint = Es la clave pública de verificación del libro mayor. Una institución puede compararla con la clave que publicó quien opera el libro mayor.
verify-working = Comprobando…
verify-expected = El historial impreso es de la trabajadora { $worker }.
verify-ok = Auténtico. Trabajadora { $worker }. Registros comprobados: { $count }. El registro del libro mayor tenía { $size } eventos cuando los firmó.
verify-cosigned = También refrendado por { $count } de las { $total } réplicas del libro mayor que conoce esta página.
verify-failed = No es auténtico. No se fíe de este archivo.
verify-error-file = Esto no es un archivo de extracto.
verify-error-large = Este archivo es demasiado grande para ser un extracto.
verify-error-key = La clave incluida en esta página no es válida.
verify-error-checkpoint = La firma del libro mayor en este extracto no es correcta.
verify-error-record = El registro { $seq } está dañado o no es de esta trabajadora.
verify-error-proof = El registro { $seq } fue modificado: no es el registro que figura en el libro mayor.
verify-error-empty = El extracto no contiene registros.
verify-error-worker = Este extracto es de la trabajadora { $found }, no de { $expected }.
verify-contributions = Cotizaciones del extracto
verify-columns = Mes | País | Salario asegurado
verify-reversed = anulada

## Llaves de acceso
sign-in-passkey-or = O, en un teléfono donde añadió una llave de acceso, escriba arriba su número de trabajadora y:
sign-in-passkey = Entrar con una llave de acceso
sign-in-passkey-failed = La llave de acceso no le permitió entrar. Inténtelo de nuevo o use su PIN.
error-no-passkey = Todavía no tiene llave de acceso. Entre con su PIN; puede añadir una en Ajustes.
settings-passkey-heading = Una llave de acceso en este teléfono
settings-passkey-hint = Solo si este teléfono es únicamente suyo: el bloqueo del teléfono (huella, cara o bloqueo de pantalla) abrirá entonces su historial, sin su PIN. Cualquiera que pueda desbloquear este teléfono también podría abrirlo.
settings-passkey-pin = Su PIN, para confirmar que es usted
settings-passkey-add = Añadir una llave de acceso
settings-passkey-added = Se añadió su llave de acceso. En este teléfono puede entrar con ella.
settings-passkey-failed = No se añadió la llave de acceso. Inténtelo de nuevo o siga usando su PIN.

## Su credencial
settings-credential-heading = La credencial de su papel de inscripción
settings-credential-hint = Su agencia le dio una credencial larga al inscribirla. Aquí no la necesita. Si otra persona pudiera tenerla (por ejemplo, si su empleador se quedó con el papel), reemplácela: la antigua deja de funcionar en el acto.
settings-credential-replace = Reemplazar mi credencial
settings-trust-heading = Organizaciones a las que confía sus avisos
settings-trust-hint = Un sindicato o una organización de trabajadores migrantes puede presentar sus avisos y seguirlos por usted cuando le dé su consentimiento. Nunca ve sus cotizaciones ni sus datos personales. Puede retirar su consentimiento en cualquier momento.
settings-trust-none = No ha dado su consentimiento a ninguna organización.
settings-trust-entry = { $organisation }, registrada en { $country }
settings-trust-revoke = Retirar mi consentimiento
settings-trust-give-label = El identificador de la organización (se lo da la organización)
settings-trust-give = Dar mi consentimiento
settings-trust-given = Su consentimiento quedó registrado. La organización ya puede presentar y seguir sus avisos.
settings-trust-taken-back = Su consentimiento fue retirado. La organización ya no puede presentar ni seguir sus avisos.
settings-trust-unknown = No hay ninguna organización registrada con este identificador. Compruébelo con la organización.
credential-heading = Su nueva credencial
credential-replaced = Su credencial antigua ya no funciona. Esta es la nueva, que se muestra solo esta vez:
credential-keep = No la necesita en este sitio web. Guárdela en privado: quien la tenga puede leer su historial. Su PIN sigue funcionando.
credential-back = Volver a Ajustes
