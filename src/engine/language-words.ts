/**
 * Word rules: greetings, function words and everyday words that one language writes and its
 * neighbours do not ("hei" and "takk" are Norwegian, "hej" and "tak" Danish or Swedish, "ikkje"
 * Nynorsk, "unha" Galician). A one-word message is where statistics fail most (docs/language.md:
 * "hej" → da, "tak" → pl), and a word that settles it is better than a guess.
 *
 * A word may name a group of languages ("ikke": Danish or Norwegian), which narrows the choice
 * for the statistics. A word listed under two entries is dropped from both when the table is
 * built, so the lists cannot contradict each other.
 */

/** Words per language (or `a|b` group), lowercase, separated by spaces. */
const WORDS: Readonly<Record<string, string>> = {
  // English: no "hi", "hello", "ok" or "thanks": customers of every language write those.
  en: `the and is are you your yours please thank what where when why how which with from this that these those not
    can't cannot don't doesn't didn't won't isn't aren't wasn't would could should have has been was were will my me
    want need there their they it's i'm i've i'd we our us being any some yes an of by or if
    folder open close save cancel error failed unable invalid unknown select show hide enable disable settings
    order delivery payment refund help new name value found missing size end time colour green blue
    black white left right bottom width height window item items custom current account address number
    paper target running installed remove removed update available allow allowed used using add edit
    delete copy paste move send receive download upload search view full screen small high low quality about
    none other more less first last next previous back forward yes apply quit world today tomorrow yesterday week
    month year day hour minute morning evening night`,
  de: `der die das und ist nicht ich sie wir ein eine einen einem einer mit von für auf bitte danke hallo nein
    wie was wo warum kann können werden wurde wurden haben hat sind dem den des zu im auch noch nur oder aber wenn keine
    kein diese dieser dieses beim zum zur über gibt möchte bestellung datei dateien ordner öffnen schließen speichern
    abbrechen fehler konnte nicht unbekannt auswählen anzeigen einstellungen neu neue neuer neues name ungültig bereits
    werden wird sich nach bei aus als alle`,
  nl: `het een niet ik jij wij we voor met aan dat dit deze zijn wordt worden kunnen geen naar bij ook nog maar
    als wat waar hoe waarom hallo dank bedankt alstublieft graag goedemorgen uit om er heeft hebben moet bestand bestanden
    map openen sluiten opslaan annuleren fout kon onbekend selecteren tonen instellingen nieuw nieuwe naam ongeldig
    wilt wil kies gebruiken toevoegen verwijderen zoeken bestelling mijn uw jouw`,
  af: `die nie jy ek vir hierdie dankie asseblief nuwe lêer lêers gebruik kies kon gee wees sal hulle julle ons
    môre goeie jou gevind
    teks bladsy knoppie lys lettertipe opsies verstek inligting
    beskrywing wydte spesiaal tegnologie vertikale dingesie`,
  fr: `le les un une des et est pas ne je vous nous il elle avec pour dans sur qui quoi où comment pourquoi bonjour
    salut merci oui ce cette ces sont être avoir mon mes votre vos du au aux peut fichier fichiers dossier ouvrir fermer
    enregistrer annuler erreur impossible inconnu sélectionner afficher paramètres nouveau nouvelle nom invalide
    commande livraison aucun aucune déjà été très aussi mais donc sans veuillez voulez`,
  es: `los las hola gracias sí buenos días tardes noches qué cómo dónde cuándo está están estoy puede pueden este
    esto estos mis hay muy pero también archivo archivos carpeta abrir cerrar guardar cancelar error desconocido
    seleccionar mostrar configuración nuevo nueva nombre inválido pedido quiero tengo usted ustedes nosotros ellos
    ningún ninguna puedo desea `,
  pt: `os um uma não em do da dos das na nos nas com pelo pela olá oi obrigado obrigada sim bom dia boa tarde noite
    você vocês eu ele ela está estão pode meu minha seu sua isso este esta onde quando porque mais muito também já
    arquivo arquivos pasta abrir fechar salvar cancelar erro desconhecido selecionar mostrar configurações novo nova
    nome inválido pedido quero tenho nenhum nenhuma foi ser são ao`,
  gl: `unha non ningunha xa coa cos polo pola dende tamén moi dun dunha grazas vostede cartafol xanela ficheiro
    ficheiros iso isto deste desta nesta ten teñen hai aquí seleccione mostrar erro novo nova abrir
    posíbel contén servizo debuxar requírese saída obxecto fillo premer baleiro`,
  ast: `ye nun pa nel esti ficheru ficheros esbillar dalgún dalguna daqué tamién gracies puen camudar amosar
    anovar desaniciar nuevu nueva nome
    tiempu modelu llenáu testu iconu númberu caxa pue fallua`,
  ca: `els amb és gràcies aquest aquesta aquests aquestes fitxer fitxers molt però també seva meva pot poden dels
    als hola bon dia bona tarda nit què quan està estan carpeta nou nova seleccioneu mostra obre tanca desa
    cancel·la error desconegut`,
  oc: `aquò aquel aquela fichièr fichièrs mercés òc vòstre vòstra pòt tanben èsser dins sus pas sens lo las
    dorsièr dobrir tampar enregistrar error desconegut
    l'objècte tèxte fenèstra icònas talha familha eveniments deu`,
  it: `il gli uno della delle dei degli alla alle ciao grazie sì buongiorno buonasera dove perché sono questo questa
    questi queste mio mia suo sua molto anche già impossibile nessun nessuna ordine vorrei cartella aprire chiudi
    chiudere salvare annulla errore sconosciuto seleziona mostra impostazioni nuovo nuova nome non è `,
  ro: `și este nu că în pe cu pentru din sau dacă acest această fișier fișierul poate sunt mulțumesc bună care
    nu se poate fost`,
  eo: `kaj estas dankon saluton bonvolu kiu kio kie kiel kial tiu tio dosiero dosierujo povas eblas malfermi
    nevalida malvalida krei montri grando nekonata enhavas tiun dum legi ekzistas uzata uzanto`,
  'da|nb|nn': `og det til`,
  'da|nb': `ikke jeg er`,
  'da|sv': `hej nej`,
  'da|pl': `tak`,
  'fi|fr': `moi`,
  nb: `hva ble noen mye nå etter av hei takk nei velg lagre slett avbryt feil vindu innstillinger ukjent kjør kjøre
    åpne lukk nytt bruker brukeren gjøre angi legg søk enn mellom uten gjennom ut opp igjen aldri alltid sjekk
    støttes opprett opprette oppdater informasjon hjelp avslutt ferdig mislyktes finnes fant funnet kanskje navn
    valgt filen filene mappen mapper`,
  nn: `ikkje eg ein eit kva korleis frå berre noko nokon nokre vere dei desse heile òg mykje kvifor kven vindauge
    innstillingar ukjend køyr køyre opna brukar brukaren finst fann vart sjå utan endå namn valt manglar støttar
    lasta fila filene mappa
    mogleg moglege tilgjengeleg eigen eige eigenskap eigenskapar meir fleire kvar opne storleik storleiken namnet vindauget skrivar høgre verdien talet
    synleg førebur tilkopling tidsavbrot vert kor laga`,
  da: `hvad af venligst blev bliver nogen meget nu efter vælg gem slet annuller afbryd fejl vindue indstillinger
    ukendt kør åbn luk nyt adgang bruger brugeren gøre køre sæt angiv læg søg end mellem uden gennem ud op igen
    aldrig altid tjek understøtter understøttes opsætning opret oprette opdater hjælp afslut færdig mislykkedes
    findes fandt fundet måske sådan filen filer mappen`,
  sv: `jag inte och är ett till för vad hur varför vem tack snälla kunde någon några mycket också denna detta dessa
    från mapp välj spara fel fönster inställningar okänd öppna stäng nytt saknas ogiltig åtkomst användare användaren
    göra köra ska vill måste bara mer när över vara visa visas ange namn lägg sök än mellan utan genom upp aldrig
    alltid kontrollera stöds skapa uppdatera hjälp avsluta klar misslyckades finns hittades kanske filen`,
  fi: `ei että kun tai mutta minä sinä hän tämä mikä mitä missä miten miksi kiitos terve kyllä voi ole olla oli
    ovat eikä myös vain jos kuin tiedosto tiedostoa tiedostoja kansio valitse tallenna poista peruuta virhe ikkuna
    asetukset tuntematon avaa sulje uusi uutta puuttuu virheellinen käyttäjä voitu epäonnistui näytä tyhjä lisää
    hae kirjoita päivitä tiedot ohje lopeta löydy ehkä tilaus`,
  et: `või aga mina sina tema meie mis kus kuidas miks aitäh tere jah palun saab pole ainult faili kaust vali
    salvesta kustuta tühista viga aken seaded tundmatu ava sulge uus uue puudub vigane kasutaja ebaõnnestus näita
    tühi lisa otsi kirjuta andmed abi lõpeta leitud`,
  pl: `jest się że gdzie dlaczego kiedy dziękuję dzięki cześć proszę plik pliku plików wybierz zapisz usuń anuluj
    błąd ustawienia nieznany otwórz zamknij nowy brak nieprawidłowy użytkownik można nazwa pusty szukaj gotowe może
    zamówienie nie`,
  cs: `je se že není nelze soubor souboru složka vybrat uložit zrušit chyba nastavení neznámý otevřít zavřít nový
    název prázdný hledat děkuji prosím ahoj ano jsou byl bylo`,
  sk: `je sa že nie nemožno súbor súboru priečinok vybrať uložiť zrušiť chyba nastavenia neznámy otvoriť zavrieť
    nový názov prázdny hľadať ďakujem prosím ahoj áno sú bol bolo`,
  hr: `je se da nije nije moguće datoteka datoteke mapa odaberi spremi odustani greška postavke nepoznat otvori
    zatvori novi naziv prazno traži hvala molim bok su bio bilo ili`,
  sl: `je se da ni ni mogoče datoteka datoteke mapa izberi shrani prekliči napaka nastavitve neznan odpri zapri
    nov ime prazno išči hvala prosim živjo so bil bilo ali`,
  tr: `ve bir bu için ile değil mi ne nasıl neden nerede merhaba teşekkürler teşekkür evet hayır lütfen dosya
    dosyası klasör seç kaydet iptal hata ayarlar bilinmeyen aç kapat yeni adı geçersiz sipariş`,
  id: `bisa berkas jendela sandi saat karena silakan galat hapus apakah halo harus
    tampilkan pengaturan bawaan unduh tombol sekarang ulang buat gambar`,
  ms: `boleh tetingkap laluan semasa kerana sila ralat padam adakah helo mesti cakera pelayan sahaja
    imej saiz bila tiada kandungan dalaman sebarang tetapan lalai papar paparan kini semula cipta butang kekunci
    jadual piawai skrol dipaparkan memuatkan ingatan mencukupi bilangan mengufuk nombor sokongan disokong dijangka`,
  'id|ms': `tidak yang dan ini itu untuk dengan dari akan gagal pengguna pilih simpan batal buka tutup baru 
    bagaimana mengapa terima kasih selamat pagi siang malam belum sudah sedang telah bukan saya anda kami kita mereka
    ada tersebut dalam pada atau juga hanya lebih sebagai oleh secara tolong mohon pesanan`,
  hu: `és nem egy az hogy nincs fájl fájlt mappa kiválasztás mentés mégse hiba beállítások ismeretlen megnyitás
    bezárás új név üres keresés köszönöm kérem szia igen`,
  lt: `ir ne yra kad failas failo aplankas pasirinkti įrašyti atsisakyti klaida nustatymai nežinomas atverti
    užverti naujas pavadinimas tuščias ieškoti ačiū prašau labas taip`,
  lv: `un ne ir ka fails faila mape izvēlēties saglabāt atcelt kļūda iestatījumi nezināms atvērt aizvērt jauns
    nosaukums tukšs meklēt paldies lūdzu sveiki jā`,
  is: `og ekki er það að til með af fyrir hvað hvernig hvar hæ já nei skrá skráin mappa velja vista hætta
    villa stillingar óþekkt opna loka nýtt nafn`,
  cy: `yn yr ac mae ddim ar gyda ffeil ffeiliau ffolder dewis cadw diddymu gwall gosodiadau anhysbys agor
    cau newydd enw diolch helo ie na
    wedi mwyn gyfer hwn hon methu hyd ddylid dylid wrth cyn digon newid ffenestr delwedd`,
  ga: `agus an na is ní níl ar le do ó comhad comhaid fillteán roghnaigh sábháil cealaigh earráid socruithe
    anaithnid oscail dún nua ainm go raibh maith agat dia duit tá
    féidir fhéidir níorbh amach mar gach don leis seo atá ann leo theip`,
  eu: `eta ez da dira bat hau hori fitxategia fitxategiak karpeta hautatu gorde utzi errorea ezarpenak ezezaguna
    ireki itxi berria izena eskerrik asko kaixo bai ezin`,
  ru: `и не в на что это как где почему когда привет здравствуйте спасибо пожалуйста да нет файл файла папка
    выбрать сохранить отмена ошибка настройки неизвестный открыть закрыть новый имя пустой поиск заказ он она они
    мы вы я или но для без`,
  uk: `що як де чому коли привіт вітаю дякую будь ласка так ні файл файла тека вибрати зберегти скасувати помилка
    налаштування невідомий відкрити закрити новий ім'я порожній пошук замовлення він вона вони ми ви я або але для
    без не на`,
  bg: `това този тази тези които който която което са е ще няма може да се от за със във към файл файла папка
    изберете запазване отказ грешка настройки неизвестен отваряне затваряне нов име празен търсене благодаря моля
    здравей
    най данни стойността стойност изтриване брой изображението задаване текущата добавяне инсталиране неправилен`,
  mk: `од ќе со во кој која кое оваа овој ова се датотека папка изберете зачувај откажи грешка поставки непознат
    отвори затвори нов име празно барај благодарам ве молам здраво`,
  sr: `је није да се од за са у на датотека датотеке фасцикла изаберите сачувај откажи грешка подешавања непознат
    отвори затвори нови име празно тражи хвала молим здраво`,
  ky: `жок менен же деп болгон деген башкы файлды файлдын`,
  be: `што як дзе чаму калі прывітанне дзякуй калі ласка так не файл тэчка выбраць захаваць скасаваць памылка
    налады невядомы адкрыць закрыць новы імя пусты пошук ён яна яны мы вы або але для без
    ці можа даныя спіс назоў нумар наладкі атрымаць па`,
};

/** The lexicon's languages written in Cyrillic; every other entry is Latin. */
export const CYRILLIC_WORD_LANGUAGES: ReadonlySet<string> = new Set(['ru', 'uk', 'bg', 'mk', 'sr', 'be', 'ky']);

/** The lexicon's languages written in Latin. */
export const LATIN_WORD_LANGUAGES: ReadonlySet<string> = new Set(
  Object.keys(WORDS)
    .flatMap((key) => key.split('|'))
    .filter((language) => !CYRILLIC_WORD_LANGUAGES.has(language)),
);

/** Word → the languages it names. Built once; duplicated words are dropped. */
const LEXICON: ReadonlyMap<string, readonly string[]> = buildLexicon(WORDS);

function buildLexicon(words: Readonly<Record<string, string>>): Map<string, readonly string[]> {
  const lexicon = new Map<string, readonly string[]>();
  const dropped = new Set<string>();
  for (const [languages, list] of Object.entries(words)) {
    const group = languages.split('|');
    for (const word of new Set(list.split(/\s+/).filter((w) => w !== ''))) {
      if (dropped.has(word)) continue;
      if (lexicon.has(word)) {
        lexicon.delete(word);
        dropped.add(word);
      } else lexicon.set(word, group);
    }
  }
  return lexicon;
}

/** The languages a word names, if the lexicon has it (exported for tests). */
export function wordLanguages(word: string): readonly string[] | undefined {
  return LEXICON.get(word.toLowerCase());
}

/** Words of a text, lowercased: runs of letters and marks, with inner apostrophes (ім'я, l'arxiu split). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{M}·]+(?:['’][\p{L}\p{M}]+)?/gu) ?? [];
}

/**
 * Words that customers of every language write, which tell no language: a text of only these
 * ("hello", "ok 👍", "thx") gets no answer, and the hints decide.
 */
const NEUTRAL: ReadonlySet<string> = new Set([
  'hello',
  'hi',
  'hey',
  'ok',
  'okay',
  'bye',
  'lol',
  'thx',
  'pls',
  'plz',
  'wow',
  'hmm',
  'ah',
  'oh',
  'yo',
]);

/** Whether every word of `text` is one that tells no language ("hello", "ok"); false without words. */
export function onlyNeutralWords(text: string): boolean {
  const words = wordsOf(text);
  return words.length > 0 && words.every((word) => NEUTRAL.has(word));
}

/** What a text's words say: counts of word hits per language. */
export interface WordVotes {
  /** Words of the text. */
  readonly words: number;
  /** Words the lexicon knew. */
  readonly hits: number;
  /** The language groups of the words the lexicon knew, one per hit. */
  readonly groups: readonly (readonly string[])[];
  /** Per language, the hits naming it (a group word counts for each of its languages). */
  readonly votes: ReadonlyMap<string, number>;
}

/** Counts the lexicon's votes for `text`. */
export function wordVotes(text: string): WordVotes {
  const words = wordsOf(text);
  const votes = new Map<string, number>();
  const groups: (readonly string[])[] = [];
  for (const word of words) {
    const languages = LEXICON.get(word.replace('’', "'"));
    if (languages === undefined) continue;
    groups.push(languages);
    for (const language of languages) votes.set(language, (votes.get(language) ?? 0) + 1);
  }
  return { words: words.length, hits: groups.length, groups, votes };
}

/** Whether every word hit names `language` (alone or in its group). */
export function unanimous(votes: WordVotes, language: string): boolean {
  return votes.groups.every((group) => group.includes(language));
}

/** The languages with the most votes (ties included), or none without a hit. */
export function leaders(votes: WordVotes, allowed?: ReadonlySet<string>): string[] {
  let best = 0;
  let top: string[] = [];
  for (const [language, n] of votes.votes) {
    if (allowed !== undefined && !allowed.has(language)) continue;
    if (n > best) [best, top] = [n, [language]];
    else if (n === best) top.push(language);
  }
  return top;
}
