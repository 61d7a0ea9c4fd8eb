var user_details =  {
  "expanded_url" : "http:\/\/amap-tilleuls.example\/",
  "screen_name" : "AmapDesTilleuls",
  "location" : "Rennes",
  "url" : "http:\/\/t.co\/Till0001",
  "full_name" : "AMAP des Tilleuls",
  "bio" : "Association pour le maintien d'une agriculture paysanne, quartier des Tilleuls. Paniers le jeudi.",
  "id" : "60000001",
  "created_at" : "2013-09-01 10:00:00 +0000",
  "display_url" : "amap-tilleuls.example"
}
