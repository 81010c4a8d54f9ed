/**
 * The letter rules (src/engine/language-letters.ts) one by one, each with real translations from
 * the evaluation set (tests/fixtures/language/evaluation-set.tsv) or everyday words of the language.
 */
import { describe, expect, it } from 'vitest';
import { arabicLetters, cyrillicLetters, devanagariLanguage, latinLetters } from '../../src/engine/language-letters.ts';

const lower = (text: string) => text.toLowerCase();

describe('latinLetters', () => {
  it.each([
    ['vi', 'phía trước'],
    ['vi', 'lọc kho lưu qua'],
    ['de', 'Fußzeile'],
    ['de', 'Die Symbolgröße'],
    ['az', 'Şəkil'],
    ['tr', "Kullanıcı ID'si"],
    ['tr', 'İki taraflı'],
    ['tr', 'değişiklik yok'],
    ['tr', 'iletişim'],
    ['hu', 'Görgethető'],
    ['hu', 'jelölőnégyzet'],
    ['cs', 'Přístup makem'],
    ['cs', 'je adresářem'],
    ['sk', 'Stĺpec rady'],
    ['sk', 'Veľkosť stránky'],
    ['lt', 'Kūrėjo įrankiai'],
    ['lt', 'Vertimų sritis'],
    ['lv', 'diff neizdevās'],
    ['lv', 'Papīrs'],
    ['pl', 'Metoda kliknięć'],
    ['hr', 'Broj dana za zadržavanje smeća i privremenih datoteka'],
    ['hr', 'Nije moguće provjeriti autentičnost NIS+ klijenta'],
    ['pt', 'Desligando após instalar atualizações'],
    ['pl', 'Błąd pamięci'],
    ['ro', 'Adolescenți'],
    ['ro', 'Rezoluție'],
    ['ro', 'trimite ieşire detaliată'],
    ['is', 'miðvikudagur'],
    ['is', 'stærðfræði'],
    ['eo', 'Aranĝo por'],
    ['eo', 'Utilaĵoj'],
    ['cy', 'Grŵp Gweithred'],
    ['ca', 'Mostra la cel·la de manera sensible'],
    ['ca', 'Retard inicial en mil·lisegons'],
    ['et', 'Määra võrguliides'],
    ['et', 'Voo jaoks pole võimalik mälu eraldada'],
    ['pt', 'Não utilizar'],
    ['pt', 'Ecrã'],
    ['sv', 'tid för lång'],
    ['sv', 'Sökväg nedåt'],
    ['fr', 'Cœur'],
  ])('names %s for %j', (language, text) => {
    expect(latinLetters(lower(text))).toEqual({ kind: 'language', language });
  });

  it.each([
    [['pl', 'lt'], 'kod języka'],
    [['pl', 'hr'], 'Uvećaj prozor'],
    [['pl', 'hr'], 'Wymagane jest uwierzytelnienie, aby zatrzymać system, kiedy program to wstrzymuje.'],
    [['pt', 'et'], 'Võtmed'],
    [['pt', 'et'], 'protsessi konteksti ei õnnestu tuvastada'],
    [['es', 'gl', 'ast'], 'Archivo dañado'],
    [['es', 'gl', 'ast'], 'marquesiña'],
    [['da', 'nb', 'nn'], 'Knapfølsomhed'],
    [['da', 'nb', 'nn'], 'Ødelagt datarør'],
    [['sv', 'da', 'nb', 'nn'], 'Måned'],
    [['it', 'vi'], 'Mercoledì'],
    [['it', 'vi'], 'Phong bì 10'],
  ])('narrows to %j for %j', (languages, text) => {
    expect(latinLetters(lower(text))).toEqual({ kind: 'among', languages });
  });

  it.each(['Hello, I would like to cancel my order', 'Bonjour', 'Guten Tag', 'hola', 'Terima kasih', 'Kiitos'])(
    'leaves %j open: no letter settles it',
    (text) => {
      expect(latinLetters(lower(text))).toEqual({ kind: 'open' });
    },
  );
});

describe('cyrillicLetters', () => {
  it.each([
    ['kk', 'Шығу'],
    ['kk', 'ағаш'],
    ['ky', 'Жараксыз көлөм'],
    ['ky', 'фотосүрөттөр'],
    ['be', 'Галоўны сервер'],
    ['be', 'Тып файлаў'],
    ['be', 'Націскальны'],
    ['be', 'Тэрмінал'],
    ['mk', 'нема повеќе меморија'],
    ['mk', 'Простор помеѓу копчиња'],
    ['sr', 'извођач'],
    ['sr', 'Опадајући'],
    ['uk', 'Немає'],
    ['uk', 'збіг строк дії'],
    ['uk', 'Підписати'],
    ['uk', 'файлів'],
    ['bg', 'Съдържание'],
    ['bg', 'въртелив бутон'],
  ])('names %s for %j', (language, text) => {
    expect(cyrillicLetters(lower(text))).toEqual({ kind: 'language', language });
  });

  it('narrows to Russian, Kyrgyz or Kazakh for ы э ё without і (Kyrgyz writes them too)', () => {
    for (const text of ['Имеет выделение', 'Документы', 'Это всё', 'Муну аттады', 'Маалыматтандыруу']) {
      expect(cyrillicLetters(lower(text)), text).toEqual({ kind: 'among', languages: ['ru', 'ky', 'kk'] });
    }
  });

  it('narrows to Serbian or Macedonian for ј љ њ џ alone', () => {
    expect(cyrillicLetters(lower('најбоље'))).toEqual({ kind: 'among', languages: ['sr', 'mk'] });
  });

  it('leaves Russian ъ before е ё ю я open (объект, подъезд), which Bulgarian would not write', () => {
    expect(cyrillicLetters('объект')).toEqual({ kind: 'open' });
    expect(cyrillicLetters('подъезд')).toEqual({ kind: 'open' });
    expect(cyrillicLetters('привет')).toEqual({ kind: 'open' });
  });
});

describe('arabicLetters', () => {
  it.each([
    ['fa', 'دگمه دوار'],
    ['fa', 'ذخیره در پوشه‌ی'],
    ['fa', 'چاپ'],
    ['ur', 'فائل نہیں ملی'],
    ['ur', 'ٹھیک ہے'],
    ['ar', 'فوق'],
    ['ar', 'شكرا لك'],
    ['ar', 'أين طلبي؟'],
  ])('names %s for %j', (language, text) => {
    expect(arabicLetters(text)).toBe(language);
  });
});

describe('devanagariLanguage', () => {
  it.each([
    ['mr', 'तळलेख'],
    ['mr', 'टॅब दाखवा'],
    ['mr', 'स्थापना झाली आहे'],
    ['mr', 'कर्सरचा रंग'],
    ['ne', 'विण्डोको प्रकार'],
    ['ne', 'ट्यागको नाम'],
    ['ne', 'HTTP सर्भरले अवैध जवाफ हेडर पठायो'],
    ['ne', 'नयाँ समूह'],
    ['mr', 'बदल करण्यास असमर्थ'],
    ['hi', 'फ़ॉन्ट चयन'],
    ['hi', 'मान दिखाएँ'],
    ['hi', 'विंडो को कार्यस्थान 5 पर ले जाएँ'],
    ['hi', 'मेरा ऑर्डर कहाँ है?'],
    ['hi', 'टर्मिनल'],
  ])('names %s for %j', (language, text) => {
    expect(devanagariLanguage(text)).toBe(language);
  });
});
