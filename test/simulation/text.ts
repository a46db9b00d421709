/**
 * Headlines and article bodies for the simulated world: random word sequences from a fixed
 * vocabulary, so two independent stories never read alike, while copies of one story are
 * word for word the same text (with the variations outlets add around it).
 */
import type { Random } from './random.ts';

const ENGLISH = `
agency analysts announced april army assembly authorities bank border budget cabinet capital
ceasefire central chairman citizens coalition coast commission committee company conference
congress constitution construction council court crisis customs data defense delegation deputy
diplomats director district economy election embassy energy envoy exports factory farmers
finance fleet forecast foreign governor growth harbor health hospital housing industry inflation
inspectors investment island judge justice labor lawmakers leaders legislation local market
mayor measures media meeting military minister ministry mission monitoring navy negotiations
officials opposition organization parliament partners party patrol planning police policy port
president prices production prosecutors province railway ratings reform region regulators relief
report reserves residents rights rules satellite schools scientists season security senate
shipments shipping sources spokesperson statement steel strategy students summit supply survey
talks tariffs taxes technology territory trade training transport treaty troops union university
vessels village voters wages warning weather workers
accepted agreed approved argued blocked called cited claimed confirmed cut delayed denied
doubled dropped eased expanded expected extended faced fell filed gained halted imposed
increased joined launched lifted lowered moved named noted opened ordered paused planned pledged
proposed raised reached rejected released reported resumed reviewed rose ruled said scrapped
signed slowed split stated suspended tightened traveled urged visited voted warned widened
annual broad careful early fresh further gradual joint key late major modest narrow new
northern official partial quick rare recent regional rural sharp southern special steady strict
sudden temporary total urban weekly western
`
  .trim()
  .split(/\s+/);

const KOREAN = `
정부 국회 대통령 장관 외교부 국방부 통일부 경제 물가 금리 수출 수입 무역 시장 기업 노동자 농민
학생 학교 병원 주민 지역 도시 서울 부산 인천 대구 광주 대전 제주 경기 강원 충청 전라 경상 북한 남한
평양 개성 군사 훈련 회담 협상 합의 발표 결정 보고서 조사 계획 정책 예산 세금 법안 위원회 선거
투표 정당 여당 야당 의원 시민 단체 환경 기후 날씨 태풍 지진 교통 철도 항공 항구 선박 해군 육군
공군 미사일 위성 발사 경고 제재 지원 협력 교류 방문 대표단 특사 성명 기자회견 소식통 관계자
증가 감소 상승 하락 확대 축소 연장 중단 재개 시작 종료 강화 완화 검토 승인 거부 요청 촉구
`
  .trim()
  .split(/\s+/);

export type Language = 'en' | 'ko';

function words(random: Random, language: Language, count: number): string[] {
  const vocabulary = language === 'ko' ? KOREAN : ENGLISH;
  return Array.from({ length: count }, () => random.pick(vocabulary));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A headline naming the topic's phrase (so classification by phrase has something to find). */
export function headline(random: Random, language: Language, phrase: string): string {
  const rest = words(random, language, random.int(4, 7)).join(' ');
  return language === 'ko' ? `${phrase} ${rest}` : capitalize(`${phrase} ${rest}`);
}

/** Paragraphs of body text with a few numbers (template stories stay apart by their numbers). */
export function body(random: Random, language: Language, phrase: string): string[] {
  const paragraphs: string[] = [];
  const count = random.int(3, 5);
  for (let p = 0; p < count; p++) {
    const sentence = words(random, language, random.int(22, 34));
    sentence.splice(random.int(2, sentence.length - 2), 0, String(random.int(3, 9999)));
    if (p === 0) sentence.splice(1, 0, phrase);
    const text = sentence.join(' ');
    paragraphs.push(language === 'ko' ? `${text}.` : `${capitalize(text)}.`);
  }
  return paragraphs;
}
