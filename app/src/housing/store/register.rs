//! The register as staff read it: houses, the apartments list, an apartment's card.

use super::*;

impl Store {
    /// The house a staff page shows: the one chosen, else the first by address (as the house
    /// selector lists them).
    pub async fn house_or_first(&self, house_id: Option<i64>) -> Result<i64, AppError> {
        if let Some(id) = house_id {
            return Ok(id);
        }
        let first: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT id FROM houses ORDER BY address LIMIT 1"
        )
        .fetch_optional(pool)
        .await)
        .map_err(internal("first house"))?;
        first.ok_or_else(|| {
            AppError::invalid(
                "В реестре ещё нет домов — добавьте дом, и здесь появятся его данные.",
            )
        })
    }

    pub async fn houses(&self) -> Result<Vec<HouseSummary>, AppError> {
        let rows: Vec<(i64, String, i64, i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT h.id, h.address,
                    (SELECT COUNT(*) FROM entrances e WHERE e.house_id = h.id),
                    (SELECT COUNT(*) FROM apartments a WHERE a.house_id = h.id),
                    (SELECT COUNT(*) FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                      WHERE a.house_id = h.id AND c.closed_on IS NULL)
                 FROM houses h ORDER BY h.address",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(internal("list houses"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, address, entrances, apartments, accounts)| HouseSummary {
                    id,
                    address,
                    entrances,
                    apartments,
                    accounts,
                },
            )
            .collect())
    }

    /// The register: apartments matching a free-text query (address, flat number, account
    /// number, a resident's name), optionally in one house, one page at a time.
    pub async fn register(
        &self,
        query: &str,
        house_id: Option<i64>,
        page: i64,
        today: NaiveDate,
    ) -> Result<RegisterPage, AppError> {
        #[derive(FromRow)]
        struct Row {
            apartment_id: i64,
            address: String,
            number: String,
            entrance: Option<i64>,
            floor: Option<i64>,
            area_centi_m2: i64,
            account: Option<String>,
            residents: i64,
            owner: Option<String>,
        }
        let q = search_text(query);
        let like = format!("%{q}%");
        let page = page.max(1);
        let filter = "($1 = '' OR h.search_text LIKE $2 OR a.number = $1
                OR EXISTS (SELECT 1 FROM accounts c WHERE c.apartment_id = a.id AND c.number LIKE $3)
                OR EXISTS (SELECT 1 FROM residencies r JOIN people p ON p.id = r.person_id
                           WHERE r.apartment_id = a.id AND p.search_text LIKE $2))
            AND ($4 = 0 OR a.house_id = $4)";
        let list_sql = format!(
            "SELECT a.id AS apartment_id, h.address, a.number, e.number AS entrance, a.floor, a.area_centi_m2,
                (SELECT MIN(c.number) FROM accounts c WHERE c.apartment_id = a.id AND c.closed_on IS NULL) AS account,
                (SELECT COUNT(*) FROM residencies r WHERE r.apartment_id = a.id
                   AND {in_force}) AS residents,
                (SELECT MIN(p.full_name) FROM residencies r JOIN people p ON p.id = r.person_id
                   WHERE r.apartment_id = a.id AND r.relation = 'owner' AND {in_force}) AS owner
             FROM apartments a JOIN houses h ON h.id = a.house_id
             LEFT JOIN entrances e ON e.id = a.entrance_id
             WHERE {filter}
             ORDER BY h.address, LENGTH(a.number), a.number
             LIMIT $6 OFFSET $7",
            in_force = crate::db::residency_in_force("$5")
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM apartments a JOIN houses h ON h.id = a.house_id WHERE {filter}"
        );
        let account_prefix = format!("{}%", query.trim());
        let house = house_id.unwrap_or(0);
        let (rows, total) = with_db!(&self.db, |pool| async {
            let rows = sqlx::query_as::<_, Row>(&list_sql)
                .bind(&q)
                .bind(&like)
                .bind(&account_prefix)
                .bind(house)
                .bind(today)
                .bind(REGISTER_PAGE_SIZE)
                .bind((page - 1) * REGISTER_PAGE_SIZE)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count_sql)
                .bind(&q)
                .bind(&like)
                .bind(&account_prefix)
                .bind(house)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        }
        .await)
        .map_err(internal("search register"))?;
        Ok(RegisterPage {
            rows: rows
                .into_iter()
                .map(|r| RegisterRow {
                    apartment_id: r.apartment_id,
                    address: r.address,
                    number: r.number,
                    entrance: r.entrance,
                    floor: r.floor,
                    area: format_area(r.area_centi_m2),
                    account: r.account,
                    residents: r.residents,
                    owner: r.owner,
                })
                .collect(),
            total,
            page,
            per_page: REGISTER_PAGE_SIZE,
        })
    }

    /// Everything staff see about one apartment, with the full history of who lived there.
    pub async fn apartment_card(&self, apartment_id: i64) -> Result<ApartmentCard, AppError> {
        let apartment_sql = format!(
            "SELECT {APARTMENT_COLUMNS} FROM apartments a JOIN houses h ON h.id = a.house_id
             LEFT JOIN entrances e ON e.id = a.entrance_id WHERE a.id = $1"
        );
        let residents_sql = format!(
            "SELECT {RESIDENT_COLUMNS} FROM residencies r JOIN people p ON p.id = r.person_id
             WHERE r.apartment_id = $1 AND r.status <> 'rejected'
             ORDER BY (r.moved_out IS NOT NULL), r.relation, r.moved_in, p.full_name"
        );
        let (apartment, accounts, residents) = with_db!(&self.db, |pool| async {
            let apartment = sqlx::query_as::<_, ApartmentRow>(&apartment_sql)
                .bind(apartment_id)
                .fetch_optional(pool)
                .await?;
            let accounts = sqlx::query_as::<_, AccountRow>(
                "SELECT id, number, opened_on, closed_on FROM accounts WHERE apartment_id = $1 ORDER BY number",
            )
            .bind(apartment_id)
            .fetch_all(pool)
            .await?;
            let residents = sqlx::query_as::<_, ResidentRow>(&residents_sql)
                .bind(apartment_id)
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((apartment, accounts, residents))
        }
        .await)
        .map_err(internal("load apartment card"))?;
        let a = apartment.ok_or(AppError::NotFound)?;
        Ok(ApartmentCard {
            id: a.id,
            house_id: a.house_id,
            address: a.address,
            number: a.number,
            entrance: a.entrance,
            floor: a.floor,
            area: format_area(a.area_centi_m2),
            is_residential: a.is_residential,
            accounts: accounts.into_iter().map(Into::into).collect(),
            residents: residents
                .into_iter()
                .map(ResidentRow::into_info)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The apartments of a house (for invite sheets): id, number, entrance, address.
    pub async fn house_apartments(
        &self,
        house_id: i64,
    ) -> Result<Vec<(i64, String, Option<i64>, String)>, AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.number, e.number, h.address FROM apartments a
                 JOIN houses h ON h.id = a.house_id LEFT JOIN entrances e ON e.id = a.entrance_id
                 WHERE a.house_id = $1 ORDER BY e.number, LENGTH(a.number), a.number",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("list house apartments"))
    }
}
