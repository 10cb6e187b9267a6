"""Health vocabulary per language: diagnoses (MEDICAL_CONDITION), medications (MEDICATION), care words (HEALTH_CONTEXT).

No maintained multilingual clinical terminology installs from the package index without a licence
or a download at run time (SNOMED CT and the national ICD-10 editions are licensed; the WHO
ICD-10 has no pip package), so these are compact lists written for issue 27: the conditions
a prompt names most (chronic diseases, cancers, mental health, infections, pregnancy), common
medications by their INN in the language's spelling, and care words (patient, hospital,
diagnosis, therapy). A term matches as whole words, case-insensitively; a German compound
matches when it ends in a condition ("Brustkrebs", "Lungenkrebs"). Sources and scope:
audit/data/VOCABULARIES.md, "EU-language health vocabulary".
"""

from __future__ import annotations

# INNs most languages spell alike (with a language's own ending added below where it differs).
SHARED_MEDICATIONS = (
    "metformin", "metformina", "metformine", "insulin", "insuline", "insulina", "insuliny", "ibuprofen", "ibuprofène",
    "ibuprofeno", "ibuprofene", "paracetamol", "paracétamol", "paracetamolo", "ramipril", "lisinopril", "enalapril",
    "bisoprolol", "metoprolol", "amlodipin", "amlodipine", "amlodipino", "amlodipina", "simvastatin", "simvastatine",
    "simvastatina", "atorvastatin", "atorvastatine", "atorvastatina", "levothyroxin", "lévothyroxine",
    "levotiroxina", "levothyroxine", "lewotyroksyna", "omeprazol", "oméprazole", "omeprazolo", "omeprazole",
    "pantoprazol", "pantoprazole", "sertralin", "sertraline", "sertralina", "fluoxetin", "fluoxétine", "fluoxetina",
    "fluoxetine", "citalopram", "escitalopram", "venlafaxin", "venlafaxine", "venlafaxina", "lithium", "litio",
    "quetiapin", "quétiapine", "quetiapina", "quetiapine", "methotrexat", "méthotrexate", "metotrexato",
    "metotrexate", "methotrexaat", "metotreksat", "tamoxifen", "tamoxifène", "tamoxifeno", "tamoxifene",
    "warfarin", "warfarine", "warfarina", "apixaban", "rivaroxaban", "clopidogrel", "salbutamol", "prednisolon",
    "prednisolone", "prednisolona", "prednison", "prednisone", "prednisona", "morphin", "morphine", "morfina",
    "morfine", "tramadol", "oxycodon", "oxycodone", "oxicodona", "ossicodone", "oksykodon", "methadon",
    "méthadone", "metadona", "metadone", "methadone", "metadon", "buprenorphin", "buprénorphine", "buprenorfina",
    "buprenorfine", "buprenorfina", "diazepam", "diazépam", "lorazepam", "lorazépam", "alprazolam", "gabapentin",
    "gabapentine", "gabapentina", "pregabalin", "prégabaline", "pregabalina", "levetiracetam", "lévétiracétam",
    "levetiracetamo", "valproat", "valproate", "valproato", "adalimumab", "infliximab", "trastuzumab",
    "pembrolizumab", "tenofovir", "emtricitabin", "emtricitabine", "dolutegravir", "amoxicillin", "amoxicilline",
    "amoxicilina", "amoxicillina", "amoksycylina", "ozempic", "semaglutid", "sémaglutide", "semaglutida",
    "semaglutide", "xarelto", "eliquis", "marcumar", "sintrom",
)  # fmt: skip

CONDITIONS: dict[str, tuple[str, ...]] = {
    "de": ("autistisch", "diabetes", "diabetes mellitus", "zuckerkrankheit", "krebs", "brustkrebs", "lungenkrebs", "darmkrebs",
           "prostatakrebs", "tumor", "karzinom", "leukämie", "lymphom", "metastasen", "depression", "depressionen",
           "angststörung", "panikstörung", "bipolare störung", "schizophrenie", "psychose", "burnout", "adhs",
           "autismus", "demenz", "alzheimer", "parkinson", "multiple sklerose", "epilepsie", "schlaganfall",
           "herzinfarkt", "herzinsuffizienz", "bluthochdruck", "hypertonie", "asthma", "copd", "hiv", "aids",
           "hepatitis", "hepatitis c", "tuberkulose", "covid-19", "long covid", "rheuma", "rheumatoide arthritis",
           "arthrose", "morbus crohn", "colitis ulcerosa", "niereninsuffizienz", "dialysepflichtig", "schwanger",
           "schwangerschaft", "fehlgeburt", "essstörung", "magersucht", "bulimie", "alkoholabhängigkeit",
           "alkoholsucht", "drogenabhängigkeit", "sucht", "suizidgedanken", "migräne", "schilddrüsenunterfunktion",
           "hashimoto", "allergie", "neurodermitis", "psoriasis", "glaukom", "behinderung", "schwerbehindert"),
    "fr": ("autiste", "autistes", "diabète", "diabete", "diabétique", "cancer", "cancer du sein", "cancer du poumon", "tumeur", "carcinome",
           "leucémie", "lymphome", "métastases", "dépression", "dépressif", "dépressive", "trouble anxieux",
           "anxiété", "trouble bipolaire", "bipolaire", "schizophrénie", "psychose", "burn-out", "tdah", "autisme",
           "démence", "alzheimer", "parkinson", "sclérose en plaques", "épilepsie", "avc", "accident vasculaire",
           "infarctus", "insuffisance cardiaque", "hypertension", "asthme", "bpco", "vih", "sida", "séropositif",
           "séropositive", "hépatite", "hépatite c", "tuberculose", "covid-19", "polyarthrite", "arthrose",
           "maladie de crohn", "insuffisance rénale", "dialyse", "enceinte", "grossesse", "fausse couche",
           "anorexie", "boulimie", "alcoolisme", "addiction", "toxicomanie", "idées suicidaires", "migraine",
           "hypothyroïdie", "allergie", "eczéma", "psoriasis", "glaucome", "handicap", "handicapé", "handicapée"),
    "es": ("autista", "diabetes", "diabético", "diabética", "cáncer", "cancer", "cáncer de mama", "cáncer de pulmón", "tumor",
           "carcinoma", "leucemia", "linfoma", "metástasis", "depresión", "ansiedad", "trastorno de ansiedad",
           "trastorno bipolar", "esquizofrenia", "psicosis", "tdah", "autismo", "demencia", "alzhéimer",
           "alzheimer", "párkinson", "parkinson", "esclerosis múltiple", "epilepsia", "ictus", "infarto",
           "insuficiencia cardíaca", "hipertensión", "asma", "epoc", "vih", "sida", "seropositivo", "seropositiva",
           "hepatitis", "tuberculosis", "covid-19", "artritis", "artrosis", "enfermedad de crohn",
           "insuficiencia renal", "diálisis", "embarazada", "embarazo", "aborto espontáneo", "anorexia", "bulimia",
           "alcoholismo", "adicción", "drogodependencia", "ideación suicida", "migraña", "hipotiroidismo",
           "alergia", "dermatitis", "psoriasis", "glaucoma", "discapacidad", "fibromialgia"),
    "it": ("autistico", "autistica", "diabete", "diabetico", "diabetica", "cancro", "tumore", "tumore al seno", "carcinoma", "leucemia",
           "linfoma", "metastasi", "depressione", "ansia", "disturbo d'ansia", "disturbo bipolare", "schizofrenia",
           "psicosi", "adhd", "autismo", "demenza", "alzheimer", "parkinson", "sclerosi multipla", "epilessia",
           "ictus", "infarto", "insufficienza cardiaca", "ipertensione", "asma", "bpco", "hiv", "aids",
           "sieropositivo", "sieropositiva", "epatite", "epatite c", "tubercolosi", "covid-19", "artrite",
           "artrosi", "morbo di crohn", "insufficienza renale", "dialisi", "incinta", "gravidanza", "aborto",
           "anoressia", "bulimia", "alcolismo", "dipendenza", "tossicodipendenza", "ideazione suicidaria",
           "emicrania", "ipotiroidismo", "allergia", "dermatite", "psoriasi", "glaucoma", "disabilità",
           "fibromialgia", "celiachia"),
    "nl": ("autistisch", "diabetes", "suikerziekte", "kanker", "borstkanker", "longkanker", "darmkanker", "tumor", "carcinoom",
           "leukemie", "lymfoom", "uitzaaiingen", "depressie", "depressief", "angststoornis", "paniekstoornis",
           "bipolaire stoornis", "schizofrenie", "psychose", "burn-out", "adhd", "autisme", "dementie", "alzheimer",
           "parkinson", "multiple sclerose", "epilepsie", "beroerte", "hartinfarct", "hartfalen", "hoge bloeddruk",
           "hypertensie", "astma", "copd", "hiv", "aids", "hepatitis", "tuberculose", "covid-19", "reuma",
           "artrose", "ziekte van crohn", "nierfalen", "dialyse", "zwanger", "zwangerschap", "miskraam",
           "anorexia", "boulimia", "alcoholverslaving", "verslaving", "suïcidale gedachten", "migraine",
           "schildklier", "allergie", "eczeem", "psoriasis", "glaucoom", "handicap", "beperking"),
    "pl": ("autystyczny", "autystyczna", "cukrzyca", "cukrzycę", "cukrzycy", "nowotwór", "rak", "raka", "rak piersi", "rak płuc", "guz",
           "białaczka", "białaczkę", "chłoniak", "przerzuty", "depresja", "depresję", "depresji", "nerwica",
           "zaburzenia lękowe", "choroba dwubiegunowa", "schizofrenia", "schizofrenię", "psychoza", "adhd",
           "autyzm", "demencja", "alzheimer", "alzheimera", "parkinson", "parkinsona", "stwardnienie rozsiane",
           "padaczka", "padaczkę", "epilepsja", "udar", "zawał", "zawał serca", "niewydolność serca",
           "nadciśnienie", "astma", "astmę", "pochp", "hiv", "aids", "wzw", "żółtaczka", "gruźlica", "covid-19",
           "reumatoidalne zapalenie stawów", "zwyrodnienie stawów", "choroba leśniowskiego-crohna",
           "niewydolność nerek", "dializy", "dializa", "w ciąży", "ciąża", "ciąży", "poronienie", "anoreksja",
           "bulimia", "alkoholizm", "uzależnienie", "myśli samobójcze", "migrena", "migrenę", "niedoczynność tarczycy",
           "alergia", "łuszczyca", "jaskra", "niepełnosprawność", "niepełnosprawny", "niepełnosprawna"),
}  # fmt: skip

# Compound heads German and Dutch glue onto a body part ("Brustkrebs", "Hautkanker"): a word ending in one is a condition.
CONDITION_SUFFIXES: dict[str, tuple[str, ...]] = {
    "de": ("krebs", "karzinom", "tumor", "insuffizienz", "entzündung", "infarkt", "erkrankung", "störung", "sucht"),
    "nl": ("kanker", "ontsteking", "stoornis", "verslaving", "infarct", "ziekte"),
}

PROCEDURES: dict[str, tuple[str, ...]] = {
    "de": ("chemotherapie", "chemo", "strahlentherapie", "bestrahlung", "dialyse", "psychotherapie", "reha", "rehabilitation", "entzug", "entgiftung", "biopsie", "mammographie", "mrt",
           "transplantation", "amputation", "impfung", "krankenschreibung", "arbeitsunfähigkeit",
           "au-bescheinigung", "überweisung"),
    "fr": ("chimiothérapie", "chimio", "radiothérapie", "dialyse", "chirurgie", "psychothérapie",
           "rééducation", "sevrage", "biopsie", "mammographie", "irm", "greffe", "transplantation",
           "amputation", "vaccination", "arrêt maladie", "arrêt de travail", "ordonnance"),
    "es": ("quimioterapia", "quimio", "radioterapia", "diálisis", "cirugía", "psicoterapia",
           "rehabilitación", "desintoxicación", "biopsia", "mamografía", "resonancia magnética", "trasplante",
           "amputación", "vacunación", "baja médica", "incapacidad temporal"),
    "it": ("chemioterapia", "chemio", "radioterapia", "dialisi", "intervento chirurgico",
           "psicoterapia", "riabilitazione", "disintossicazione", "biopsia", "mammografia", "risonanza magnetica",
           "trapianto", "amputazione", "vaccinazione", "certificato di malattia"),
    "nl": ("chemotherapie", "chemo", "bestraling", "radiotherapie", "dialyse", "psychotherapie",
           "revalidatie", "ontwenning", "biopsie", "mammografie", "mri", "transplantatie", "amputatie",
           "vaccinatie", "ziekmelding", "verwijzing"),
    "pl": ("chemioterapia", "chemioterapię", "chemioterapii", "radioterapia", "radioterapię", "dializa",
           "zabieg", "psychoterapia", "psychoterapię", "rehabilitacja", "odwyk", "biopsja",
           "mammografia", "rezonans magnetyczny", "przeszczep", "amputacja", "szczepienie", "zwolnienie lekarskie",
           "l4", "skierowanie"),
}  # fmt: skip

CARE_WORDS: dict[str, tuple[str, ...]] = {
    "de": ("patient", "patientin", "patienten", "diagnose", "diagnostiziert", "befund", "arztbrief", "arzt",
           "ärztin", "hausarzt", "facharzt", "krankenhaus", "klinik", "notaufnahme", "behandlung",
           "therapie", "medikament", "medikamente", "krankenkasse", "pflegegrad", "erkrankt", "leidet an"),
    "fr": ("patient", "patiente", "diagnostic", "diagnostiqué", "diagnostiquée", "médecin", "médecin traitant",
           "hôpital", "clinique", "urgences", "traitement", "thérapie", "médicament", "médicaments", "mutuelle",
           "compte rendu", "hospitalisé", "hospitalisée", "atteint de", "atteinte de", "souffre de"),
    "es": ("paciente", "diagnóstico", "diagnosticado", "diagnosticada", "médico", "médica", "hospital",
           "clínica", "urgencias", "tratamiento", "terapia", "medicamento", "medicación", "historia clínica",
           "ingresado", "ingresada", "padece", "sufre de"),
    "it": ("paziente", "diagnosi", "diagnosticato", "diagnosticata", "medico", "ospedale", "clinica",
           "pronto soccorso", "trattamento", "terapia", "farmaco", "farmaci", "cartella clinica", "ricoverato",
           "ricoverata", "affetto da", "affetta da", "soffre di"),
    "nl": ("patiënt", "patient", "patiënte", "diagnose", "gediagnosticeerd", "arts", "huisarts", "ziekenhuis", "kliniek", "spoedeisende hulp", "behandeling", "therapie", "medicatie", "medicijnen",
           "zorgverzekeraar", "opgenomen", "lijdt aan"),
    "pl": ("pacjent", "pacjentka", "pacjenta", "diagnoza", "rozpoznanie", "zdiagnozowano", "lekarz", "lekarka",
           "szpital", "szpitalu", "przychodnia", "oddział", "sor", "leczenie", "terapia", "lek", "leki",
           "leczony", "leczona", "choruje na", "cierpi na", "nfz"),
}  # fmt: skip
